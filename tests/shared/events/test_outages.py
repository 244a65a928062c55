"""Relay and consumer ride out a bus outage: they keep retrying and lose or double nothing.

The bus is the local log behind a switch that makes every operation fail with
:class:`BusError` – what the Kafka bus raises while no broker answers (its real
outage test is tests/integration/test_outages.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from shared.events import Handler, Handlers, publish
from shared.events.bus import Bus, BusConsumer, BusError, BusProducer
from shared.events.consumer import ConsumerRunner, dlq_topic
from shared.events.envelope import EventEnvelope
from shared.events.link import BusLink
from shared.events.relay import Relay
from shared.events.tables import outbox
from tests.support.pingpong.events import PING_SENT
from tests.support.pingpong.handlers import HANDLERS
from tests.support.pingpong.models import Pong

TOPIC, GROUP = "score.pingpong", "score-pongs"


class Switch:
    """Which bus operations fail right now."""

    def __init__(self) -> None:
        self.failing: set[str] = set()
        self.failures = 0

    def check(self, operation: str) -> None:
        if operation in self.failing:
            self.failures += 1
            raise BusError(f"{operation}: no broker")


class _Guarded:
    """Forwards to a real client, failing the operations the switch names."""

    def __init__(self, inner, switch: Switch, kind: str) -> None:
        self._inner, self._switch, self._kind = inner, switch, kind

    def __getattr__(self, name: str):
        attribute = getattr(self._inner, name)
        if name == "close":
            return attribute

        def guarded(*args, **kwargs):
            self._switch.check(f"{self._kind}.{name}")
            return attribute(*args, **kwargs)

        return guarded


class FlakyBus(Bus):
    """A real bus whose operations fail while the switch says so."""

    name = "flaky"

    def __init__(self, inner: Bus, switch: Switch) -> None:
        self.inner, self.switch = inner, switch

    def producer(self) -> BusProducer:
        self.switch.check("producer")
        return _Guarded(self.inner.producer(), self.switch, "producer")  # type: ignore[return-value]

    def consumer(self, group, topics, *, start=None) -> BusConsumer:
        self.switch.check("consumer")
        return _Guarded(self.inner.consumer(group, topics, start=start),  # type: ignore[return-value]
                        self.switch, "consumer")

    def pattern_consumer(self, group, pattern) -> BusConsumer:
        self.switch.check("consumer")
        return _Guarded(self.inner.pattern_consumer(group, pattern),  # type: ignore[return-value]
                        self.switch, "consumer")

    def lag(self, group, topics):
        return self.inner.lag(group, topics)

    def ping(self) -> None:
        self.switch.check("ping")


OUTAGE = {"producer", "producer.send", "producer.flush", "consumer", "consumer.poll",
          "consumer.commit", "consumer.commit_soon", "ping"}


@pytest.fixture
def switch() -> Switch:
    return Switch()


def quick_link(role: str) -> BusLink:
    return BusLink(role, first_delay_s=0.01, max_delay_s=0.05)


def in_thread(worker, stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    return thread


def wait_until(condition: Callable[[], bool], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def ping(db, seq: int, poison: bool = False) -> str:
    with db.transaction() as session:
        return publish(session, PING_SENT, "k", {"ping_id": seq, "org_id": "o", "key": "k",
                                                 "seq": seq, "poison": poison}).id


def send(bus, *envelopes: EventEnvelope) -> None:
    producer = bus.producer()
    for envelope in envelopes:
        producer.send(TOPIC, "k", envelope.to_bytes(), {})
    producer.flush()
    producer.close()


def envelope(seq: int, poison: bool = False) -> EventEnvelope:
    return EventEnvelope.new("/score/pingpong", PING_SENT.type, "k",
                             {"ping_id": seq, "org_id": "o", "key": "k", "seq": seq,
                              "poison": poison})


def unsent(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(outbox)
                              .where(outbox.c.sent_at.is_(None)))


def on_topic(bus) -> list[str]:
    consumer = bus.consumer("reader", [TOPIC], start={TOPIC: 0})
    ids = [EventEnvelope.from_bytes(m.value).id for m in consumer.poll(max_records=1000)]
    consumer.close()
    return ids


def pongs(db) -> list[str]:
    with db.reading() as session:
        return [p.event_id for p in session.scalars(select(Pong).order_by(Pong.id))]


def test_a_relay_started_without_a_bus_keeps_trying_and_publishes_everything_once_it_is_back(
        pings_db, local_bus, switch):
    switch.failing = set(OUTAGE)
    relay = Relay(pings_db, FlakyBus(local_bus, switch), "pingpong", link=quick_link("relay"))
    stop = threading.Event()
    thread = in_thread(relay, stop)
    try:
        ids = [ping(pings_db, seq) for seq in range(3)]
        wait_until(lambda: switch.failures >= 5)
        assert thread.is_alive() and not relay.link.connected and unsent(pings_db) == 3
        switch.failing.clear()
        wait_until(lambda: unsent(pings_db) == 0)
        wait_until(lambda: relay.link.connected)
    finally:
        stop.set()
        thread.join(5)
    assert on_topic(local_bus) == ids


def test_a_relay_whose_sends_fail_keeps_its_rows_and_sends_them_after_the_outage(
        pings_db, local_bus, switch):
    relay = Relay(pings_db, FlakyBus(local_bus, switch), "pingpong", link=quick_link("relay"))
    stop = threading.Event()
    thread = in_thread(relay, stop)
    try:
        first = ping(pings_db, 0)
        wait_until(lambda: unsent(pings_db) == 0)
        switch.failing = {"producer.flush", "producer"}
        later = [ping(pings_db, seq) for seq in (1, 2)]
        wait_until(lambda: switch.failures >= 3)
        assert thread.is_alive() and unsent(pings_db) == 2
        switch.failing.clear()
        wait_until(lambda: unsent(pings_db) == 0)
    finally:
        stop.set()
        thread.join(5)
    assert on_topic(local_bus) == [first, *later]


def test_a_consumer_started_without_a_bus_keeps_trying_and_applies_everything_once_it_is_back(
        pongs_db, local_bus, switch):
    switch.failing = set(OUTAGE)
    runner = ConsumerRunner(pongs_db, FlakyBus(local_bus, switch), GROUP, HANDLERS,
                            link=quick_link("consumer"))
    events = [envelope(seq) for seq in range(3)]
    send(local_bus, *events)
    stop = threading.Event()
    thread = in_thread(runner, stop)
    try:
        wait_until(lambda: switch.failures >= 5)
        assert thread.is_alive() and not runner.link.connected and pongs(pongs_db) == []
        switch.failing.clear()
        wait_until(lambda: len(pongs(pongs_db)) == 3)
        wait_until(lambda: runner.link.connected)
    finally:
        stop.set()
        thread.join(5)
    assert pongs(pongs_db) == [e.id for e in events]
    assert local_bus.lag(GROUP, [TOPIC]) == {TOPIC: 0}


def test_records_applied_before_a_failed_commit_come_again_and_are_applied_once(
        pongs_db, local_bus, switch):
    runner = ConsumerRunner(pongs_db, FlakyBus(local_bus, switch), GROUP, HANDLERS,
                            link=quick_link("consumer"))
    switch.failing = {"consumer.commit_soon"}
    events = [envelope(seq) for seq in range(4)]
    send(local_bus, *events)
    stop = threading.Event()
    thread = in_thread(runner, stop)
    try:
        wait_until(lambda: len(pongs(pongs_db)) == 4 and switch.failures >= 2)
        assert local_bus.lag(GROUP, [TOPIC]) == {TOPIC: 4}, "nothing committed yet"
        switch.failing.clear()
        wait_until(lambda: local_bus.lag(GROUP, [TOPIC]) == {TOPIC: 0})
    finally:
        stop.set()
        thread.join(5)
    assert pongs(pongs_db) == [e.id for e in events]
    assert runner.stats["duplicate"] >= 4


def test_no_offset_passes_a_record_that_could_not_be_dead_lettered_during_an_outage(
        pongs_db, local_bus, switch):
    runner = ConsumerRunner(pongs_db, FlakyBus(local_bus, switch), GROUP, HANDLERS,
                            max_attempts=2, backoff_ms=1, link=quick_link("consumer"))
    switch.failing = {"producer", "producer.flush"}  # the dead-letter topic is unreachable
    first, poison, *later = [envelope(0), envelope(1, poison=True), envelope(2), envelope(3)]
    send(local_bus, first, poison, *later)
    stop = threading.Event()
    thread = in_thread(runner, stop)
    try:
        wait_until(lambda: switch.failures >= 3)
        assert local_bus.lag(GROUP, [TOPIC]) == {TOPIC: 3}, "only the first is committed"
        assert thread.is_alive()
        switch.failing.clear()
        wait_until(lambda: local_bus.lag(GROUP, [TOPIC]) == {TOPIC: 0})
    finally:
        stop.set()
        thread.join(5)
    assert pongs(pongs_db) == [first.id, *(e.id for e in later)]
    dlq = local_bus.consumer("inspector", [dlq_topic(TOPIC, GROUP)])
    assert [EventEnvelope.from_bytes(m.value).id for m in dlq.poll()] == [poison.id]
    dlq.close()


def test_a_database_outage_in_a_handler_dead_letters_nothing_and_the_event_comes_again(
        pongs_db, local_bus):
    handler = HANDLERS.get(PING_SENT.type)
    outage = {"left": 2}

    def apply(session, event):
        if outage["left"]:
            outage["left"] -= 1
            raise OperationalError("INSERT INTO pongs", {}, ConnectionError("server closed"))
        handler.apply(session, event)

    handlers = Handlers([Handler(handler.type, handler.schema, apply)])
    runner = ConsumerRunner(pongs_db, local_bus, GROUP, handlers, max_attempts=1, backoff_ms=1)
    event = envelope(0)
    send(local_bus, event)
    stop = threading.Event()
    thread = in_thread(runner, stop)
    try:
        wait_until(lambda: pongs(pongs_db) == [event.id])
    finally:
        stop.set()
        thread.join(5)
    assert runner.stats["dead_lettered"] == 0 and outage["left"] == 0
