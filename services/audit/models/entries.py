"""The log itself: every CloudEvent of the market, verbatim, once, in the audit's order.

``seq`` is the audit's own sequence number, dense from 0: the entry's index as a
leaf of the Merkle tree. ``event`` holds the record's bytes exactly as they came
off the bus (a structured-mode CloudEvent); the other columns are copies of its
attributes, kept for filtering, never a second source of truth. Rows are only
ever inserted.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from services.audit.models.base import Base
from shared.db import UtcDateTime


class Entry(Base):
    """One logged event; leaf ``seq`` of the tree."""

    __tablename__ = "entries"
    __table_args__ = (
        Index("ix_entries_type_seq", "type", "seq"),
        Index("ix_entries_providerid_seq", "providerid", "seq"),
        Index("ix_entries_subject_seq", "subject", "seq"),
        # Events reach the log roughly in time order, so on PostgreSQL a BRIN index (a
        # summary per block range) serves time windows at almost no cost to the ingest;
        # a btree here was one of six indexes every appended row updates.
        Index("ix_entries_time", "time", postgresql_using="brin"),
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    providerid: Mapped[str | None] = mapped_column(String(64))
    # The event's own time (when the fact happened), not when it reached the log.
    time: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    topic: Mapped[str] = mapped_column(String(249))
    partition: Mapped[int] = mapped_column(Integer)
    offset: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    event: Mapped[bytes] = mapped_column(LargeBinary)


class Counter(Base):
    """A running count the ingest keeps (duplicates delivered, records refused)."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class Reject(Base):
    """A record on a ``score.*`` topic that is not a CloudEvent: kept as evidence, not logged."""

    __tablename__ = "rejects"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                    primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(249))
    partition: Mapped[int] = mapped_column(Integer)
    offset: Mapped[int] = mapped_column(BigInteger)
    error: Mapped[str] = mapped_column(String(2000))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    record: Mapped[bytes] = mapped_column(LargeBinary)
