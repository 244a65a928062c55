"""Append a batch of bus records to the log: verbatim, de-duplicated, densely numbered.

The caller holds the only writer (the ingest job's leadership): ``seq`` continues
from the table's last entry with no gaps, because it is each entry's index as a
leaf of the Merkle tree. A record whose event id is already logged – a relay's
re-send, a redelivery after a crash before the offset commit – is counted as a
duplicate and not stored again. A record that is not a CloudEvent cannot be
logged as one: it is kept in ``rejects`` with its error and counted.

Built for batches of thousands: records as our producers write them are read
without the CloudEvents SDK (:mod:`services.audit.ingest.parse`, same verdicts),
and on PostgreSQL the entries go in by one binary ``COPY`` – optimistically: only
when the unique index refuses the batch (a re-sent event) does it look up which
ids are logged already and write the rest (elsewhere: look up, then one
executemany).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import cast

from psycopg.errors import UniqueViolation
from sqlalchemy import CursorResult, func, insert, select, text, update
from sqlalchemy.orm import Session

from services.audit.ingest.parse import read_envelope
from services.audit.models import Counter, Entry, Reject
from shared import clock
from shared.events.bus import Message
from shared.events.envelope import EventEnvelope, MalformedEvent

# The entries' columns in the order _entry() gives them.
COLUMNS = ("seq", "event_id", "type", "source", "subject", "providerid", "time", "topic",
           "partition", "offset", "received_at", "event")
# Their PostgreSQL types, for a binary COPY.
COPY_TYPES = ("int8", "varchar", "varchar", "varchar", "varchar", "varchar", "timestamptz",
              "varchar", "int4", "int8", "timestamptz", "bytea")

DUPLICATES = "duplicates"
REJECTED = "rejected"


@dataclasses.dataclass(frozen=True)
class Appended:
    """What one batch did to the log."""

    stored: int
    duplicates: int
    rejected: int
    next_seq: int


def append(session: Session, records: Sequence[Message]) -> Appended:
    """Log ``records`` in their order inside the caller's transaction."""
    now = clock.now()
    parsed: list[tuple[Message, EventEnvelope]] = []
    rejects: list[dict] = []
    for record in records:
        try:
            parsed.append((record, read_envelope(record.value)))
        except MalformedEvent as exc:
            rejects.append({"topic": record.topic, "partition": record.partition,
                            "offset": record.offset, "error": str(exc)[:2000],
                            "received_at": now, "record": record.value})
    unique = _once_each(parsed)
    next_seq = int(session.scalar(select(func.coalesce(func.max(Entry.seq) + 1, 0))) or 0)
    fresh = _store(session, unique, next_seq, now)
    if rejects:
        session.execute(insert(Reject), rejects)
    duplicates = len(parsed) - len(fresh)
    _count(session, DUPLICATES, duplicates)
    _count(session, REJECTED, len(rejects))
    return Appended(len(fresh), duplicates, len(rejects), next_seq + len(fresh))


def _once_each(parsed: list[tuple[Message, EventEnvelope]]):
    """The records in order, without later records of an event earlier in the batch."""
    seen: set[str] = set()
    unique = []
    for record, envelope in parsed:
        if envelope.id not in seen:
            seen.add(envelope.id)
            unique.append((record, envelope))
    return unique


def _store(session: Session, unique: list[tuple[Message, EventEnvelope]], next_seq: int,
           now) -> list[tuple[Message, EventEnvelope]]:
    """Insert the events not logged yet, numbered from ``next_seq``; returns those stored."""
    if unique and session.connection().dialect.name == "postgresql":
        # Re-sends are rare: write the batch as it is, and look for events already
        # logged only when the unique index on event_id says there are some.
        try:
            with session.begin_nested():
                _insert_entries(session, _rows(unique, next_seq, now))
            return unique
        except UniqueViolation:
            pass
    logged = _logged_ids(session, {envelope.id for _, envelope in unique}) if unique else set()
    fresh = [(record, envelope) for record, envelope in unique if envelope.id not in logged]
    if fresh:
        _insert_entries(session, _rows(fresh, next_seq, now))
    return fresh


def _rows(events: list[tuple[Message, EventEnvelope]], next_seq: int, now) -> list[tuple]:
    return [_entry(seq, record, envelope, now)
            for seq, (record, envelope) in enumerate(events, start=next_seq)]


def _logged_ids(session: Session, ids: set[str]) -> set[str]:
    """Which of ``ids`` are logged already (one indexed lookup for the whole batch)."""
    if session.connection().dialect.name == "postgresql":
        # One array parameter instead of thousands of bound ones.
        found = session.execute(text("SELECT event_id FROM entries WHERE event_id = ANY(:ids)"),
                                {"ids": list(ids)})
        return {row[0] for row in found}
    return set(session.scalars(select(Entry.event_id).where(Entry.event_id.in_(ids))))


def _entry(seq: int, record: Message, envelope: EventEnvelope, now) -> tuple:
    return (seq, envelope.id, envelope.type, envelope.source, envelope.subject,
            envelope.providerid, envelope.time, record.topic, record.partition,
            record.offset, now, record.value)


def _insert_entries(session: Session, rows: list[tuple]) -> None:
    """Insert ``rows`` (in :data:`COLUMNS` order) in the fewest round trips the database has."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Binary COPY streams the batch in one statement: several times faster than a
        # multi-row INSERT, and no value is rendered as text on the way.
        columns = ", ".join(f'"{name}"' for name in COLUMNS)
        driver = connection.connection.driver_connection
        assert driver is not None  # a live psycopg connection inside the transaction
        with driver.cursor() as cursor, \
                cursor.copy(f"COPY {Entry.__tablename__} ({columns}) FROM STDIN "
                            "(FORMAT BINARY)") as copy:
            copy.set_types(COPY_TYPES)
            for row in rows:
                copy.write_row(row)
        return
    session.execute(insert(Entry), [dict(zip(COLUMNS, row, strict=True)) for row in rows])


def _count(session: Session, name: str, by: int) -> None:
    if not by:
        return
    changed = cast(CursorResult, session.execute(update(Counter).where(Counter.name == name)
                              .values(value=Counter.value + by))).rowcount
    if not changed:
        session.execute(insert(Counter).values(name=name, value=by))
