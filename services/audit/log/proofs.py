"""The log's reads: signed heads and proofs against them, as the API hands them out.

Proofs are only given against signed sizes: a client can check a proof only
against a root it can trust, and a head's signature is what makes a root
trustworthy. Each response carries the head itself (with its signature) and,
for an inclusion proof, the entry's bytes – nothing else is needed to verify it.
"""

from __future__ import annotations

import base64

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.audit.access import scope_entries
from services.audit.log import heads, store
from services.audit.models import Entry, TreeHead
from services.audit.schemas.log import MAX_SIZE
from shared.auth import Principal
from shared.db import Database
from shared.errors import Conflict, DomainError, NotFound
from shared.pages import encode_token


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def head_view(head: TreeHead) -> dict:
    """A head as the API shows it."""
    return {"size": head.size, "root": _b64(head.root), "signed_at": head.signed_at,
            "timestamp": heads.millis(head.signed_at), "key_id": head.key_id,
            "signature": _b64(head.signature)}


def latest_head(db: Database) -> dict:
    """The newest signed head; 404 before the first."""
    with db.reading() as session:
        head = heads.latest(session)
        if head is None:
            raise NotFound("no tree head is signed yet")
        return head_view(head)


def list_heads(db: Database, args: dict) -> dict:
    """One page of signed heads, largest first (sizes are the keyset)."""
    limit = args.get("limit", 20)
    query = select(TreeHead).order_by(TreeHead.size.desc()).limit(limit + 1)
    if args.get("cursor") is not None:
        query = query.where(TreeHead.size < args["cursor"])
    with db.reading() as session:
        rows = list(session.scalars(query))
    next_cursor = encode_token([rows[limit - 1].size]) if len(rows) > limit else None
    return {"items": [head_view(head) for head in rows[:limit]], "next_cursor": next_cursor,
            "limit": limit}


def _signed(session: Session, size: int | None) -> TreeHead:
    if size is None:
        head = heads.latest(session)
        if head is None:
            raise NotFound("no tree head is signed yet")
        return head
    head = session.get(TreeHead, size)
    if head is None:
        latest = heads.latest(session)
        raise NotFound(f"no tree head is signed at size {size}", errors={"size": [
            "not a signed tree size"]}, latest_size=latest.size if latest else None)
    return head


def inclusion(db: Database, principal: Principal, *, seq: int | None = None,
              event_id: str | None = None, size: int | None = None) -> dict:
    """An entry's inclusion proof in the signed tree of ``size`` (default: the latest).

    The entry must be one the caller may read (else 404, as if absent) and inside
    that tree (else 409: a later head will cover it).
    """
    query = select(Entry.seq, Entry.event_id, Entry.event)
    if seq is not None:
        if not 0 <= seq <= MAX_SIZE:
            raise NotFound(f"no entry {seq}")
        query = query.where(Entry.seq == seq)
    else:
        query = query.where(Entry.event_id == event_id)
    with db.reading() as session:
        entry = session.execute(scope_entries(query, principal)).first()
        if entry is None:
            raise NotFound(f"no entry {seq}" if seq is not None else f"no event {event_id}")
        head = _signed(session, size)
        if entry.seq >= head.size:
            raise Conflict(f"entry {entry.seq} is not in the tree of size {head.size}",
                           errors={"size": ["the tree must be larger than the entry's seq"]})
        proof = store.inclusion_proof(session, entry.seq, head.size)
        return {"seq": entry.seq, "event_id": entry.event_id, "entry": _b64(entry.event),
                "proof": [_b64(h) for h in proof], "head": head_view(head)}


def consistency(db: Database, first: int, second: int) -> dict:
    """The consistency proof between two signed tree sizes (``first <= second``)."""
    if first > second:
        raise DomainError("first must not be above second",
                          errors={"first": ["not above second"]})
    with db.reading() as session:
        old, new = _signed(session, first), _signed(session, second)
        proof = store.consistency_proof(session, first, second)
        return {"first": head_view(old), "second": head_view(new),
                "proof": [_b64(h) for h in proof]}
