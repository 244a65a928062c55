"""Stored states of the Phase III projection, so indicators never replay the whole log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from services.audit.models.base import Base
from shared.db import UtcDateTime


class IndicatorCheckpoint(Base):
    """The projection's state after folding entries ``0 .. next - 1`` (zlib-compressed JSON).

    Derived data: it can be deleted and rebuilt from the entries at any time.
    """

    __tablename__ = "indicator_checkpoints"
    next: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
