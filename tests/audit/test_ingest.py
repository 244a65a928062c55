"""The ingest job: every score.* topic into the log, at least once, each event stored once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from services.audit.ingest.job import GROUP, Ingest, build
from services.audit.models import Counter, Entry
from shared.events.bus import BusError
from shared.events.bus.local import LocalBus
from shared.events.envelope import EventEnvelope
from shared.jobs import JobContext


@pytest.fixture
def bus(tmp_path):
    return LocalBus(str(tmp_path / "bus.db"))


def send(bus, topic: str, *events: EventEnvelope) -> None:
    producer = bus.producer()
    for event in events:
        producer.send(topic, event.subject, event.to_bytes())
    producer.flush()
    producer.close()


def event(service: str = "catalog", subject: str = "s-1") -> EventEnvelope:
    return EventEnvelope.new(f"/score/{service}", f"score.{service}.thing.happened.v1",
                             subject, {"n": 1})


def logged(audit_db) -> list[tuple[int, str, str]]:
    with audit_db.reading() as session:
        return [tuple(row) for row in session.execute(
            select(Entry.seq, Entry.topic, Entry.event_id).order_by(Entry.seq))]


def rounds(ingest: Ingest, times: int = 3) -> None:
    for _ in range(times):
        ingest.round()


def test_every_service_topic_is_logged_but_dead_letters_are_not(audit_db, bus):
    catalog, newcomer, dead = event(), event("newcomer"), event()
    send(bus, "score.catalog", catalog)
    send(bus, "score.catalog.dlq.score-identity", dead)
    send(bus, "score.newcomer", newcomer)  # a service no code here knows of
    ingest = Ingest(audit_db, bus, poll_ms=50)
    rounds(ingest)
    ingest.drop()
    rows = logged(audit_db)
    assert [seq for seq, _, _ in rows] == [0, 1]
    assert {(topic, id_) for _, topic, id_ in rows} == {
        ("score.catalog", catalog.id), ("score.newcomer", newcomer.id)}
    assert bus.lag(GROUP, ["score.catalog", "score.newcomer"]) == {
        "score.catalog": 0, "score.newcomer": 0}


class FailingCommits:
    """A bus whose consumers fail to commit offsets while ``failing`` is set."""

    def __init__(self, inner: LocalBus) -> None:
        self.inner, self.failing = inner, True

    def pattern_consumer(self, group, pattern):
        consumer = self.inner.pattern_consumer(group, pattern)
        outer = self

        class Consumer:
            def poll(self, **kwargs):
                return consumer.poll(**kwargs)

            def commit_soon(self, messages):
                if outer.failing:
                    raise BusError("broker went away before the offsets were committed")
                consumer.commit_soon(messages)

            def close(self):
                consumer.close()

        return Consumer()


def test_a_batch_delivered_again_after_a_lost_commit_is_counted_not_stored(audit_db, bus):
    first, second = event(subject="a"), event(subject="b")
    send(bus, "score.catalog", first, second)
    flaky = FailingCommits(bus)
    ingest = Ingest(audit_db, flaky, poll_ms=50)
    with pytest.raises(BusError):
        ingest.round()  # appended, but the offsets never reached the bus
    flaky.failing = False
    rounds(ingest)
    ingest.drop()
    assert [row[2] for row in logged(audit_db)] == [first.id, second.id]
    with audit_db.reading() as session:
        assert session.get(Counter, "duplicates").value == 2
    assert bus.lag(GROUP, ["score.catalog"]) == {"score.catalog": 0}


def test_the_job_ingests_while_it_leads_and_leaves_the_group_when_it_stops(audit_db, bus):
    from shared.config import load_settings

    send(bus, "score.catalog", *(event(subject=f"s-{i}") for i in range(5)))
    job = build(JobContext(load_settings("audit"), audit_db, bus))
    stop = threading.Event()
    thread = threading.Thread(target=job.run, args=(stop,), daemon=True)
    thread.start()
    try:
        for _ in range(200):
            with audit_db.reading() as session:
                if session.scalar(select(func.count()).select_from(Entry)) == 5:
                    break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert len(logged(audit_db)) == 5
    assert bus.lag(GROUP, ["score.catalog"]) == {"score.catalog": 0}
