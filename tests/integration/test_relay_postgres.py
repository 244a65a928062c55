"""The relay on PostgreSQL: marking overlaps the next batch; a successor waits for it."""

from __future__ import annotations

import threading
import time

import pytest

from shared.db import Database
from shared.events import publish
from shared.events.bus import Bus, BusProducer
from shared.events.marking import mark_sent
from shared.events.relay import Relay
from tests.support import pingpong
from tests.support.pingpong.events import PING_SENT

pytestmark = pytest.mark.integration


class Recorder(Bus, BusProducer):
    """A bus that keeps what was sent, with the time each flush returned."""

    name = "recorder"

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.flushed: list[tuple[float, list[str]]] = []
        self._pending: list[str] = []

    def producer(self):
        return self

    def send(self, topic, key, value, headers=None):
        self._pending.append(headers["ce_id"].decode())

    def flush(self, timeout_s=30.0):
        self.sent += self._pending
        self.flushed.append((time.monotonic(), self._pending))
        self._pending = []

    def close(self):
        """Nothing held."""

    def consumer(self, group, topics, *, start=None):
        raise NotImplementedError

    def pattern_consumer(self, group, pattern):
        raise NotImplementedError

    def lag(self, group, topics):
        return {}

    def ping(self):
        """Always reachable."""


@pytest.fixture
def db(pg_database):
    database = Database(pg_database)
    database.migrate(pingpong.MIGRATIONS)
    yield database
    database.dispose()


def add_pings(db: Database, n: int) -> list[str]:
    ids = []
    for seq in range(n):
        with db.transaction() as session:
            ids.append(publish(session, PING_SENT, "k", {"ping_id": seq, "org_id": "o",
                                                        "key": "k", "seq": seq}).id)
    return ids


def slow_marks(delay_s: float, done: list[float]):
    def mark(connection, ids):
        time.sleep(delay_s)
        done.append(time.monotonic())  # the rows are still locked: the commit comes next
        mark_sent(connection, ids)

    return mark


def test_the_next_batch_is_sent_while_the_last_one_is_still_being_marked(db):
    ids = add_pings(db, 9)
    bus, marked = Recorder(), []
    relay = Relay(db, bus, "pingpong", batch_size=3)
    relay._marker.mark = slow_marks(1.0, marked)
    assert [relay.relay_once() for _ in range(4)] == [3, 3, 3, 0]
    relay.close()
    assert bus.sent == ids, "each row once, in order"
    assert bus.flushed[1][0] < marked[0], "the second batch waited for the first mark"
    assert len(marked) == 3


def test_a_relay_taking_over_waits_for_the_mark_of_the_one_it_replaces(db):
    ids = add_pings(db, 6)
    old_bus, new_bus, marked = Recorder(), Recorder(), []
    old = Relay(db, old_bus, "pingpong", batch_size=3)
    old._marker.mark = slow_marks(0.5, marked)
    new = Relay(db, new_bus, "pingpong", batch_size=3)
    assert old.relay_once() == 3
    takeover = threading.Thread(target=new.relay_once)
    takeover.start()
    takeover.join(10)
    old.close()
    new.close()
    assert old_bus.sent == ids[:3] and new_bus.sent == ids[3:], "no batch sent twice"
    assert new_bus.flushed[0][0] > marked[0], "sent before its predecessor's mark committed"
