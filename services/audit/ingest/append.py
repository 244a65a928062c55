"""Append a batch of bus records to the log: verbatim, de-duplicated, densely numbered.

The caller holds the only writer (the ingest job's leadership): ``seq`` continues
from the table's last entry with no gaps, because it is each entry's index as a
leaf of the Merkle tree. A record whose event id is already logged – a relay's
re-send, a redelivery after a crash before the offset commit – is counted as a
duplicate and not stored again. A record that is not a CloudEvent cannot be
logged as one: it is kept in ``rejects`` with its error and counted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from services.audit.models import Counter, Entry, Reject
from shared import clock
from shared.events.bus import Message
from shared.events.envelope import EventEnvelope, MalformedEvent

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
            parsed.append((record, EventEnvelope.from_bytes(record.value)))
        except MalformedEvent as exc:
            rejects.append({"topic": record.topic, "partition": record.partition,
                            "offset": record.offset, "error": str(exc)[:2000],
                            "received_at": now, "record": record.value})
    fresh = _first_sightings(session, parsed)
    next_seq = session.scalar(select(func.coalesce(func.max(Entry.seq) + 1, 0)))
    rows = [_entry(seq, record, envelope, now)
            for seq, (record, envelope) in enumerate(fresh, start=next_seq)]
    if rows:
        session.execute(insert(Entry), rows)
    if rejects:
        session.execute(insert(Reject), rejects)
    duplicates = len(parsed) - len(fresh)
    _count(session, DUPLICATES, duplicates)
    _count(session, REJECTED, len(rejects))
    return Appended(len(rows), duplicates, len(rejects), next_seq + len(rows))


def _first_sightings(session: Session, parsed: list[tuple[Message, EventEnvelope]]):
    """The records whose event id is neither logged already nor earlier in the batch."""
    ids = {envelope.id for _, envelope in parsed}
    if not ids:
        return []
    seen = set(session.scalars(select(Entry.event_id).where(Entry.event_id.in_(ids))))
    fresh = []
    for record, envelope in parsed:
        if envelope.id not in seen:
            seen.add(envelope.id)
            fresh.append((record, envelope))
    return fresh


def _entry(seq: int, record: Message, envelope: EventEnvelope, now) -> dict:
    return {"seq": seq, "event_id": envelope.id, "type": envelope.type,
            "source": envelope.source, "subject": envelope.subject,
            "providerid": envelope.providerid, "time": envelope.time,
            "topic": record.topic, "partition": record.partition, "offset": record.offset,
            "received_at": now, "event": record.value}


def _count(session: Session, name: str, by: int) -> None:
    if not by:
        return
    changed = session.execute(update(Counter).where(Counter.name == name)
                              .values(value=Counter.value + by)).rowcount
    if not changed:
        session.execute(insert(Counter).values(name=name, value=by))
