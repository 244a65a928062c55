"""The verifiable log's own tables: the Merkle tree as tiles, and the signed tree heads.

Both are derived from the entries (``score audit verify`` rebuilds and checks
them) and only ever grow: a tile's hashes are appended to, never changed, and a
head once signed stays as it is – a client holding an old head can always ask
for a consistency proof from it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from services.audit.models.base import Base
from shared.db import UtcDateTime


class Tile(Base):
    """Up to 256 hashes of tree level ``8 * level``, nodes ``256 * number`` onwards
    (:mod:`services.audit.log.tiles`); level 0 holds the leaf hashes."""

    __tablename__ = "tiles"
    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # The hashes, 32 bytes each, concatenated in node order.
    hashes: Mapped[bytes] = mapped_column(LargeBinary)


class TreeHead(Base):
    """A signed tree head: the log's first ``size`` entries have Merkle root ``root``.

    ``signature`` is Ed25519 by key ``key_id`` (RFC 7638 thumbprint, published in
    the log's JWKS) over :func:`services.audit.log.heads.signed_bytes`.
    """

    __tablename__ = "tree_heads"
    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    signed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
