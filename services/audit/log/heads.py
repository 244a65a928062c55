"""Signed tree heads: what a head's signature covers, signing one, checking one.

The signature is Ed25519 over these UTF-8 bytes (four lines, each ending in LF)::

    score-audit-tree-head/v1
    <size: decimal, no leading zeros>
    <root: the 32-byte Merkle tree hash, base64 (RFC 4648 §4, padded)>
    <signed_at: milliseconds since 1970-01-01T00:00:00Z, decimal>

The first line keeps a head's signature from being valid for anything else the
key might sign; the time is in the signed bytes so a head's age cannot be
forged, and is kept at millisecond precision so that what the database and the
JSON carry is exactly what was signed.
"""

from __future__ import annotations

import base64
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.audit.events import TREE_HEAD_SIGNED, tree_head_signed
from services.audit.log.signer import Signer
from services.audit.models import TreeHead
from shared import clock
from shared.events import publish

CONTEXT = "score-audit-tree-head/v1"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def millis(moment: dt.datetime) -> int:
    """``moment`` as whole milliseconds since the Unix epoch."""
    return (moment - EPOCH) // dt.timedelta(milliseconds=1)


def signed_bytes(size: int, root: bytes, signed_at: dt.datetime) -> bytes:
    """The canonical encoding of a head: exactly what its signature covers."""
    return (f"{CONTEXT}\n{size}\n{base64.b64encode(root).decode()}\n"
            f"{millis(signed_at)}\n").encode()


def sign(session: Session, signer: Signer, size: int, root: bytes) -> TreeHead:
    """Sign the head of the tree of ``size`` leaves, store it and announce it."""
    now = clock.now()
    signed_at = now.replace(microsecond=now.microsecond // 1000 * 1000)
    head = TreeHead(size=size, root=root, signed_at=signed_at, key_id=signer.key.kid,
                    signature=signer.key.sign_bytes(signed_bytes(size, root, signed_at)))
    session.add(head)
    session.flush()
    publish(session, TREE_HEAD_SIGNED, str(size), tree_head_signed(head))
    return head


def signature_holds(head: TreeHead, signer: Signer) -> bool:
    """Whether ``head`` carries a valid signature by one of ``signer``'s published keys."""
    key = signer.keys.get(head.key_id)
    return key is not None and key.verifies(
        signed_bytes(head.size, head.root, head.signed_at), head.signature)


def latest(session: Session) -> TreeHead | None:
    """The newest signed head (the largest: heads only grow), None before the first."""
    return session.scalars(select(TreeHead).order_by(TreeHead.size.desc()).limit(1)).first()
