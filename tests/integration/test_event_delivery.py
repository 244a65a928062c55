"""Exactly-once application across processes, over real Kafka and PostgreSQL.

The pingpong service commits events through its outbox; a relay process sends
them to Kafka; a consumer process of the pongs service applies them. The
processes are killed with SIGKILL at the worst moments (fault points between
send and mark, inside the handler's transaction) and restarted; every event
must still be applied exactly once and in order per key.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict

import pytest
from kafka import KafkaConsumer
from sqlalchemy import func, select

from shared.db import Database
from shared.events import publish
from shared.events.envelope import EventEnvelope
from shared.events.tables import outbox
from tests.support import pingpong
from tests.support.pingpong.events import PING_SENT
from tests.support.pingpong.models import Pong

# slow: some 80 relay and consumer processes, started and killed one after another.
pytestmark = [pytest.mark.integration, pytest.mark.slow]

PRODUCER = "tests.support.pingpong:runtime"
CONSUMER = "tests.support.pingpong:pongs_runtime"


@pytest.fixture
def producer_db(pg_database):
    db = Database(pg_database)
    db.migrate(pingpong.MIGRATIONS)
    yield db
    db.dispose()


@pytest.fixture
def consumer_db(postgres):
    name = f"pongs_{uuid.uuid4().hex[:12]}"
    db = Database(postgres.create_database(name))
    db.migrate(pingpong.MIGRATIONS)
    yield db
    db.dispose()
    postgres.drop_database(name)


@pytest.fixture
def group() -> str:
    return f"pongs-{uuid.uuid4().hex[:8]}"


def env_for(service: str, url: str, kafka: str, group: str = "", faults: str = "",
            **extra: str) -> dict:
    env = dict(os.environ)
    env.update({
        f"SCORE_{service.upper()}_DATABASE_URL": url, "SCORE_BUS": "kafka",
        "SCORE_KAFKA_BOOTSTRAP": kafka, "SCORE_ENV": "test", "SCORE_FAULTS": faults,
        "SCORE_CONSUMER_GROUP": group, "SCORE_KAFKA_GROUP_INSTANCE_ID": f"{group}-0",
        "SCORE_LOG_LEVEL": "WARNING", **extra})
    return env


def start(command: str, spec: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "shared.cli", command, spec], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def publish_pings(db: Database, keys: int, per_key: int, poison_at: int | None = None):
    events = []
    for seq in range(per_key):
        for k in range(keys):
            key = f"key-{k}"
            with db.transaction() as session:
                events.append(publish(session, PING_SENT, key, {
                    "ping_id": len(events), "org_id": "o", "key": key, "seq": seq,
                    "poison": poison_at == len(events)}))
    return events


def backlog(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(outbox)
                              .where(outbox.c.sent_at.is_(None)))


def pongs(db: Database) -> list[Pong]:
    with db.reading() as session:
        return list(session.scalars(select(Pong).order_by(Pong.id)))


def run_until(process: subprocess.Popen, done, timeout_s: float = 60) -> str:
    """Wait until ``done()`` (then SIGTERM) or the process dies; returns how it ended."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return "killed" if process.returncode == -signal.SIGKILL else "exited"
        if done():
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0, process.stderr.read().decode()[-2000:]
            return "done"
        time.sleep(0.05)
    process.kill()
    raise AssertionError(f"timed out; stderr: {process.stderr.read().decode()[-2000:]}")


def relay_with_crashes(db, url, kafka, crash_runs: int) -> int:
    """Run relays that die between send and mark; returns how many were killed."""
    kills = 0
    for run in range(40):
        faults = "relay.after_send:1" if run < crash_runs else (
            "relay.after_send:0.5" if run < crash_runs + 10 else "")
        env = env_for("pingpong", url, kafka, faults=faults, SCORE_RELAY_BATCH_SIZE="10")
        outcome = run_until(start("relay", PRODUCER, env), lambda: backlog(db) == 0)
        kills += outcome == "killed"
        if outcome == "done":
            return kills
    raise AssertionError("the relay never drained the outbox")


def all_applied(db, events) -> bool:
    # The topic is shared by the tests of a session: wait for *these* events.
    return {e.id for e in events} <= {p.event_id for p in pongs(db)}


def consume_with_crashes(db, url, kafka, group, events, crash_runs: int) -> int:
    kills = 0
    for run in range(60):
        faults = "consumer.in_handler:1" if run < crash_runs else (
            "consumer.in_handler:0.1" if run < crash_runs + 10 else "")
        env = env_for("pongs", url, kafka, group=group, faults=faults)
        outcome = run_until(start("consume", CONSUMER, env), lambda: all_applied(db, events))
        kills += outcome == "killed"
        if outcome == "done":
            return kills
    raise AssertionError("the consumer never applied every event")


def assert_applied_exactly_once_in_key_order(db, events) -> None:
    ours = {e.id for e in events}
    applied = [p for p in pongs(db) if p.event_id in ours]
    counts = Counter(p.event_id for p in applied)
    assert ours == set(counts), "an event was lost"
    assert max(counts.values()) == 1, "an event was applied twice"
    by_key = defaultdict(list)
    for p in applied:
        by_key[p.key].append(p.seq)
    for key, seqs in by_key.items():
        assert seqs == sorted(seqs), f"order broken for {key}: {seqs}"


def test_relay_killed_between_send_and_mark_again_and_again_loses_and_doubles_nothing(
        producer_db, consumer_db, kafka_bootstrap, group):
    events = publish_pings(producer_db, keys=4, per_key=15)
    kills = relay_with_crashes(producer_db, producer_db.url, kafka_bootstrap, crash_runs=3)
    assert kills >= 3
    consume_with_crashes(consumer_db, consumer_db.url, kafka_bootstrap, group,
                         events=events, crash_runs=0)
    assert_applied_exactly_once_in_key_order(consumer_db, events)


def test_consumer_killed_mid_handler_gets_the_event_again_and_applies_it_once(
        producer_db, consumer_db, kafka_bootstrap, group):
    events = publish_pings(producer_db, keys=3, per_key=10)
    relay_with_crashes(producer_db, producer_db.url, kafka_bootstrap, crash_runs=0)
    kills = consume_with_crashes(consumer_db, consumer_db.url, kafka_bootstrap, group,
                                 events=events, crash_runs=3)
    assert kills >= 3
    assert_applied_exactly_once_in_key_order(consumer_db, events)


def test_a_poison_event_is_dead_lettered_and_later_events_keep_flowing(
        producer_db, consumer_db, kafka_bootstrap, group):
    events = publish_pings(producer_db, keys=1, per_key=6, poison_at=2)
    relay_with_crashes(producer_db, producer_db.url, kafka_bootstrap, crash_runs=0)
    env = env_for("pongs", consumer_db.url, kafka_bootstrap, group=group,
                  SCORE_CONSUMER_MAX_ATTEMPTS="3", SCORE_CONSUMER_BACKOFF_MS="10")
    healthy = [e for e in events if not e.data["poison"]]
    run_until(start("consume", CONSUMER, env), lambda: all_applied(consumer_db, healthy))
    assert_applied_exactly_once_in_key_order(consumer_db, healthy)
    dead = read_topic(kafka_bootstrap, f"score.pingpong.dlq.{group}", expected=1)
    assert EventEnvelope.from_bytes(dead[0].value).id == events[2].id
    headers = dict(dead[0].headers)
    assert headers["dlq-attempts"] == b"3" and b"poison ping" in headers["dlq-error"]


def test_many_events_sharing_one_key_are_applied_in_order(
        producer_db, consumer_db, kafka_bootstrap, group):
    events = publish_pings(producer_db, keys=1, per_key=120)
    relay_with_crashes(producer_db, producer_db.url, kafka_bootstrap, crash_runs=1)
    consume_with_crashes(consumer_db, consumer_db.url, kafka_bootstrap, group,
                         events=events, crash_runs=1)
    ours = {e.id for e in events}
    assert [p.seq for p in pongs(consumer_db) if p.event_id in ours] == list(range(120))


def read_topic(bootstrap: str, topic: str, expected: int, timeout_s: float = 20) -> list:
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, group_id=None)
    got, deadline = [], time.monotonic() + timeout_s
    while len(got) < expected and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            got.extend(records)
    consumer.close()
    return got

