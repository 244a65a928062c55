"""The consumer runner: exactly-once application, retries, dead letters, clean stop."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from shared.events import Handler, Handlers
from shared.events.consumer import ConsumerRunner, dlq_topic
from shared.events.envelope import EventEnvelope
from shared.events.tables import dead_letters, inbox
from tests.support.pingpong.handlers import HANDLERS
from tests.support.pingpong.models import Pong

TOPIC = "score.pingpong"
GROUP = "score-pongs"


@pytest.fixture
def db(pongs_db):
    return pongs_db


@pytest.fixture
def bus(local_bus):
    return local_bus


@pytest.fixture
def runner(db, bus):
    return ConsumerRunner(db, bus, GROUP, HANDLERS, max_attempts=3, backoff_ms=1)


def ping(seq: int, key: str = "k", poison: bool = False) -> EventEnvelope:
    return EventEnvelope.new("/score/pingpong", "score.pingpong.ping.sent.v1", key,
                             {"ping_id": seq, "org_id": "o", "key": key, "seq": seq,
                              "poison": poison})


def send(bus, *records: bytes | EventEnvelope) -> None:
    producer = bus.producer()
    for record in records:
        value = record.to_bytes() if isinstance(record, EventEnvelope) else record
        producer.send(TOPIC, "k", value, {})
    producer.flush()


def run_until_idle(runner, bus) -> None:
    """Consume everything currently on the topic, then stop."""
    stop = threading.Event()
    consumer = bus.consumer(GROUP, [TOPIC])
    original_poll = consumer.poll

    def poll(**kwargs):
        batch = original_poll(**{**kwargs, "timeout_ms": 50})  # idle at once: stop
        if not batch:
            stop.set()
        return batch

    consumer.poll = poll
    runner.run(stop, consumer)


def pongs(db) -> list[tuple[str, int]]:
    with db.reading() as session:
        return [(p.event_id, p.seq) for p in session.scalars(select(Pong).order_by(Pong.id))]


def test_an_event_delivered_twice_is_applied_once(runner, bus, db):
    event = ping(1)
    send(bus, event, event)
    run_until_idle(runner, bus)
    assert pongs(db) == [(event.id, 1)]
    assert runner.stats["duplicate"] == 1


def test_a_poison_event_is_dead_lettered_with_its_error_and_later_events_flow(runner, bus, db):
    poison, later = ping(1, poison=True), ping(2)
    send(bus, poison, later)
    run_until_idle(runner, bus)
    assert pongs(db) == [(later.id, 2)]
    dlq = bus.consumer("inspector", [dlq_topic(TOPIC, GROUP)])
    [dead] = dlq.poll(timeout_ms=500)
    assert EventEnvelope.from_bytes(dead.value).id == poison.id
    assert dead.headers["dlq-attempts"] == b"3"
    assert b"poison ping" in dead.headers["dlq-error"]
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(dead_letters)) == 1
    assert bus.lag(GROUP, [TOPIC]) == {TOPIC: 0}


@pytest.mark.parametrize("garbage", [
    b"not json at all",
    b'{"specversion": "1.0", "id": "x"}',
    ping(1).to_bytes().replace(b'"seq": 1', b'"seq": "one"'),
])
def test_a_malformed_event_goes_straight_to_the_dead_letter_topic(runner, bus, db, garbage):
    send(bus, garbage, ping(2))
    run_until_idle(runner, bus)
    assert [seq for _, seq in pongs(db)] == [2]
    assert runner.stats["dead_lettered"] == 1
    dlq = bus.consumer("inspector", [dlq_topic(TOPIC, GROUP)])
    [dead] = dlq.poll(timeout_ms=500)
    assert dead.value == garbage and dead.headers["dlq-attempts"] == b"1"


def test_events_of_types_nobody_handles_are_skipped_and_committed(runner, bus, db):
    other = EventEnvelope.new("/score/pingpong", "score.pingpong.ping.echoed.v1", "k", {})
    send(bus, other)
    run_until_idle(runner, bus)
    assert runner.stats["ignored"] == 1 and bus.lag(GROUP, [TOPIC]) == {TOPIC: 0}


def test_a_transient_failure_is_retried_and_then_applied_once(db, bus):
    failures = {"left": 2}
    handler = HANDLERS.get("score.pingpong.ping.sent.v1")

    def flaky(session, event):
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("database hiccup")
        handler.apply(session, event)

    handlers = Handlers([Handler(handler.type, handler.schema, flaky)])
    runner = ConsumerRunner(db, bus, GROUP, handlers, max_attempts=5, backoff_ms=1)
    event = ping(1)
    send(bus, event)
    run_until_idle(runner, bus)
    assert pongs(db) == [(event.id, 1)]
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(inbox)) == 1


def test_stopping_during_a_retry_commits_nothing_so_the_event_comes_back(db, bus, runner):
    send(bus, ping(1, poison=True))
    stop = threading.Event()
    slow = ConsumerRunner(db, bus, GROUP, HANDLERS, max_attempts=5, backoff_ms=10_000)
    timer = threading.Timer(0.3, stop.set)
    timer.start()
    slow.run(stop)
    timer.join()
    assert bus.lag(GROUP, [TOPIC]) == {TOPIC: 1}
