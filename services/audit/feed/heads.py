"""The signed tree head a page of the feed can be verified against.

The tree job signs heads of the Merkle tree over the entries (``seq`` is the
leaf index); a head of size ``n`` covers entries ``0 .. n-1``. A page carries the
newest head if it covers the page's last entry – a reader checks each entry's
inclusion proof against it – and null when none does yet (the tree job signs
behind the ingest). :func:`latest_tree_head` is the one place that reads heads.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from services.audit.log import heads
from services.audit.log.proofs import head_view


def latest_tree_head(session: Session) -> dict[str, Any] | None:
    """The newest signed tree head as the log's API shows it (None: none signed yet)."""
    head = heads.latest(session)
    return None if head is None else head_view(head)


def covering(head: dict[str, Any] | None, last_seq: int | None) -> dict[str, Any] | None:
    """``head`` if it covers the entry ``last_seq`` (or there is none to cover), else None."""
    if head is None or (last_seq is not None and head["size"] <= last_seq):
        return None
    return head

