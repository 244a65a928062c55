"""The signed tree head a page of the feed can be verified against.

The tree job signs heads of the Merkle tree over the entries (``seq`` is the
leaf index); a head of size ``n`` covers entries ``0 .. n-1``. A page carries the
newest head if it covers the page's last entry – a reader checks each entry's
inclusion proof against it – and null when none does yet (the tree job signs
behind the ingest). :func:`latest_tree_head` is the one place that reads heads.
"""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

try:  # the heads' model comes with the tree (services/audit/models/log.py)
    from services.audit.models.log import TreeHead
except ImportError:  # until then there are no heads, and every page's head is null
    TreeHead = None


def latest_tree_head(session: Session) -> dict[str, Any] | None:
    """The newest signed tree head (None: none signed yet)."""
    if TreeHead is None:
        return None
    head = session.scalars(select(TreeHead).order_by(TreeHead.size.desc()).limit(1)).first()
    if head is None:
        return None
    return {"size": head.size, "root": _text(head.root), "signed_at": head.signed_at,
            "key_id": head.key_id, "signature": _text(head.signature)}


def covering(head: dict[str, Any] | None, last_seq: int | None) -> dict[str, Any] | None:
    """``head`` if it covers the entry ``last_seq`` (or there is none to cover), else None."""
    if head is None or (last_seq is not None and head["size"] <= last_seq):
        return None
    return head


def _text(value: Any) -> str:
    """Bytes as unpadded base64url (how JSON carries them); text as it is."""
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.urlsafe_b64encode(bytes(value)).decode().rstrip("=")
    return str(value)
