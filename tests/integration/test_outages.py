"""A Kafka outage of 90 s, on a real broker: relays and consumers survive it, lose nothing.

Production's shape: ``score relay`` and ``score consume`` processes of the
pingpong service, on PostgreSQL. One pair runs when the broker stops; a
second pair starts while it is down. None may exit; their heartbeats stay
fresh (an outage is not a liveness failure), their metrics and logs say the
bus is away; once the broker is back on the same data, every event – those
committed before, during and after the outage – is applied exactly once by
each consumer group.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from shared.db import Database
from shared.events import publish
from shared.events.tables import outbox
from shared.heartbeat import heartbeat_age
from tests.infra.ports import free_ports
from tests.support import pingpong
from tests.support.pingpong.events import PING_SENT
from tests.support.pingpong.models import Pong

# slow: the outage alone lasts OUTAGE_S.
pytestmark = [pytest.mark.integration, pytest.mark.slow]

PRODUCER = "tests.support.pingpong:runtime"
CONSUMER = "tests.support.pingpong:pongs_runtime"
OUTAGE_S = 90


@dataclasses.dataclass
class Worker:
    """One ``score relay`` or ``score consume`` process and what it exposes."""

    name: str
    process: subprocess.Popen
    log: Path
    heartbeat: Path
    metrics_port: int

    def metric(self, role: str) -> float | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics",
                                        timeout=2) as response:
                text = response.read().decode()
        except OSError:
            return None
        for line in text.splitlines():
            if line.startswith(f'score_bus_connected{{role="{role}"}}'):
                return float(line.split()[-1])
        return None

    def messages(self) -> list[str]:
        lines = self.log.read_text().splitlines()
        return [json.loads(line)["message"] for line in lines if line.startswith("{")]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


@pytest.fixture
def databases(postgres):
    """Two producing and two consuming pingpong databases on PostgreSQL."""
    names = [f"outage_{uuid.uuid4().hex[:10]}" for _ in range(4)]
    dbs = [Database(postgres.create_database(name)) for name in names]
    for db in dbs:
        db.migrate(pingpong.MIGRATIONS)
    yield dbs
    for db, name in zip(dbs, names, strict=True):
        db.dispose()
        postgres.drop_database(name)


def start(tmp_path: Path, name: str, command: str, spec: str, db: Database, kafka: str,
          group: str = "") -> Worker:
    service = "pingpong" if spec == PRODUCER else "pongs"
    port = free_ports(1)[0]
    heartbeat, log = tmp_path / f"{name}.alive", tmp_path / f"{name}.log"
    env = dict(os.environ, **{
        f"SCORE_{service.upper()}_DATABASE_URL": db.url, "SCORE_BUS": "kafka",
        "SCORE_KAFKA_BOOTSTRAP": kafka, "SCORE_ENV": "test", "SCORE_LOG_LEVEL": "INFO",
        "SCORE_CONSUMER_GROUP": group, "SCORE_KAFKA_GROUP_INSTANCE_ID": f"{group}-0"})
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", command, spec, "--heartbeat", str(heartbeat),
             "--metrics-port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=out)
    return Worker(name, process, log, heartbeat, port)


def publish_pings(db: Database, count: int, label: str) -> list[str]:
    ids = []
    for seq in range(count):
        key = f"{label}-{seq % 3}"
        with db.transaction() as session:
            ids.append(publish(session, PING_SENT, key, {
                "ping_id": seq, "org_id": "o", "key": key, "seq": seq}).id)
    return ids


def unsent(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(outbox)
                              .where(outbox.c.sent_at.is_(None)))


def applied(db: Database) -> Counter:
    with db.reading() as session:
        return Counter(session.scalars(select(Pong.event_id)))


def wait_for(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_relays_and_consumers_ride_out_a_90_s_broker_outage_and_deliver_everything_once(
        private_kafka_broker, databases, tmp_path):
    broker, kafka = private_kafka_broker, private_kafka_broker.bootstrap
    pings_a, pings_b, pongs_a, pongs_b = databases
    group_a, group_b = f"outage-a-{uuid.uuid4().hex[:6]}", f"outage-b-{uuid.uuid4().hex[:6]}"
    running = [start(tmp_path, "relay-a", "relay", PRODUCER, pings_a, kafka),
               start(tmp_path, "consumer-a", "consume", CONSUMER, pongs_a, kafka, group_a)]
    workers = list(running)
    try:
        before = publish_pings(pings_a, 6, "before")
        wait_for(lambda: set(before) <= set(applied(pongs_a)), 90, "delivery before the outage")

        broker.halt()
        outage_started = time.monotonic()
        during = publish_pings(pings_a, 6, "during")
        started_blind = [start(tmp_path, "relay-b", "relay", PRODUCER, pings_b, kafka),
                         start(tmp_path, "consumer-b", "consume", CONSUMER, pongs_b, kafka,
                               group_b)]
        workers += started_blind
        blind = publish_pings(pings_b, 6, "blind")
        while time.monotonic() - outage_started < OUTAGE_S:
            assert [w.name for w in workers if w.process.poll() is not None] == []
            time.sleep(1)
        for worker in workers:
            age = heartbeat_age(worker.heartbeat)
            assert age is not None and age < 30, f"{worker.name}: heartbeat {age}"
        assert unsent(pings_a) == 6 and unsent(pings_b) == 6
        assert [w.metric(role) for w, role in zip(
            workers, ["relay", "consumer"] * 2, strict=True)] == [0, 0, 0, 0]

        broker.resume()
        after = publish_pings(pings_a, 3, "after")
        everything = set(before + during + blind + after)
        for pongs in (pongs_a, pongs_b):
            wait_for(lambda db=pongs: everything <= set(applied(db)), 180,
                     "delivery after the outage")
        for pongs in (pongs_a, pongs_b):
            counts = applied(pongs)
            assert {e: counts[e] for e in everything} == dict.fromkeys(everything, 1)
        wait_for(lambda: [w.metric(r) for w, r in zip(
            workers, ["relay", "consumer"] * 2, strict=True)] == [1, 1, 1, 1], 60,
            "metrics to show the bus back")
    finally:
        exits = {w.name: w.stop() for w in workers}
    assert exits == dict.fromkeys(exits, 0)
    for worker in workers:
        said = worker.messages()
        assert 1 <= said.count("bus unreachable; retrying with backoff until it is back") <= 2, (
            worker.name, said)
        assert "bus reachable again" in said, (worker.name, said)
