"""Appending bus records to the log: verbatim, once per event id, densely numbered."""

from __future__ import annotations

from sqlalchemy import select

from services.audit.ingest import append
from services.audit.models import Counter, Entry, Reject
from shared.events.bus import Message
from shared.events.envelope import EventEnvelope


def record(offset: int, envelope: EventEnvelope, topic: str = "score.catalog") -> Message:
    return Message(topic, 0, offset, envelope.subject, envelope.to_bytes(), {}, 0)


def event(subject: str = "s-1", providerid: str | None = "p-1") -> EventEnvelope:
    return EventEnvelope.new("/score/catalog", "score.catalog.session.published.v1", subject,
                             {"session_id": subject}, providerid=providerid)


def test_events_are_stored_verbatim_in_order_with_dense_numbers(audit_db):
    first, second = event("a"), event("b", providerid=None)
    with audit_db.transaction() as session:
        result = append(session, [record(7, first), record(8, second)])
    assert (result.stored, result.next_seq) == (2, 2)
    with audit_db.reading() as session:
        rows = session.scalars(select(Entry).order_by(Entry.seq)).all()
        assert [(r.seq, r.event_id, r.subject, r.providerid, r.offset) for r in rows] == [
            (0, first.id, "a", "p-1", 7), (1, second.id, "b", None, 8)]
        assert rows[0].event == first.to_bytes()


def test_a_redelivered_event_is_counted_not_stored_again(audit_db):
    once = event()
    with audit_db.transaction() as session:
        append(session, [record(1, once), record(1, once)])
    with audit_db.transaction() as session:
        result = append(session, [record(1, once), record(2, event("c"))])
    assert (result.stored, result.duplicates, result.next_seq) == (1, 1, 2)
    with audit_db.reading() as session:
        assert session.get(Counter, "duplicates").value == 2
        assert session.scalar(select(Entry.seq).where(Entry.subject == "c")) == 1


def test_a_record_that_is_not_a_cloudevent_is_kept_aside_and_counted(audit_db):
    bad = Message("score.catalog", 0, 3, "k", b'{"not": "an event"}', {}, 0)
    with audit_db.transaction() as session:
        result = append(session, [bad, record(4, event())])
    assert (result.stored, result.rejected) == (1, 1)
    with audit_db.reading() as session:
        reject = session.scalars(select(Reject)).one()
        assert (reject.offset, reject.record) == (3, b'{"not": "an event"}')
        assert session.get(Counter, "rejected").value == 1
