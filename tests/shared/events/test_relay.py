"""The relay: sends unsent outbox rows in order, marks them, and has one leader."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from shared.events import publish
from shared.events.bus.base import BusError
from shared.events.envelope import EventEnvelope
from shared.events.relay import Relay
from shared.events.tables import outbox
from tests.support.pingpong.events import PING_SENT


@pytest.fixture
def db(pings_db):
    return pings_db


@pytest.fixture
def bus(local_bus):
    return local_bus


def add_pings(db, n: int, key: str = "k") -> list[str]:
    ids = []
    for seq in range(n):
        with db.transaction() as session:
            ids.append(publish(session, PING_SENT, key,
                               {"ping_id": seq, "org_id": "o", "key": key, "seq": seq}).id)
    return ids


def unsent(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(outbox)
                              .where(outbox.c.sent_at.is_(None)))


def on_topic(bus) -> list[str]:
    consumer = bus.consumer("reader", ["score.pingpong"], start={"score.pingpong": 0})
    return [EventEnvelope.from_bytes(m.value).id for m in consumer.poll(max_records=1000)]


def test_relay_sends_every_unsent_row_in_commit_order_and_marks_them_sent(db, bus):
    ids = add_pings(db, 7)
    relay = Relay(db, bus, "pingpong", batch_size=3)
    assert [relay.relay_once() for _ in range(4)] == [3, 3, 1, 0]
    assert on_topic(bus) == ids
    assert unsent(db) == 0


def test_a_failed_send_leaves_rows_unsent_for_the_next_round(db, bus, monkeypatch):
    add_pings(db, 2)
    relay = Relay(db, bus, "pingpong")
    producer = relay._connected_producer()

    def broken(timeout_s=30.0):
        raise BusError("broker down")

    monkeypatch.setattr(producer, "flush", broken)
    with pytest.raises(BusError):
        relay.relay_once()
    assert unsent(db) == 2


def test_only_one_relay_per_service_leads(db, bus):
    first, second = Relay(db, bus, "pingpong"), Relay(db, bus, "pingpong")
    assert first.leadership.acquire()
    assert not second.leadership.acquire()
    first.leadership.release()
    assert second.leadership.acquire()
    second.leadership.release()


def test_a_commit_wakes_an_idle_relay_at_once(db, bus):
    # A minute between polls: only the commit's wake-up can publish within seconds.
    stop = threading.Event()
    relay = Relay(db, bus, "pingpong", poll_ms=60_000)
    thread = threading.Thread(target=relay.run, args=(stop,))
    thread.start()
    try:
        time.sleep(0.3)  # idle: waiting for a commit
        [event_id] = add_pings(db, 1)
        deadline = time.monotonic() + 5
        while unsent(db) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert on_topic(bus) == [event_id]
    finally:
        stop.set()
        db.commits.ring()
        thread.join(5)
