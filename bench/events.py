"""Event backbone benchmark: relay vs raw producer throughput, end-to-end latency.

Starts a real Kafka broker and PostgreSQL, then in one run measures
1. raw kafka-python producer throughput (acks=all, idempotent) – the baseline;
2. relay throughput: pre-filled outbox rows → Kafka, marked sent, on PostgreSQL;
3. raw produce→consume round-trip latency – the baseline;
4. end-to-end latency: outbox commit → the consumer's handler transaction committed
   (relay woken by LISTEN/NOTIFY, consumer runner with inbox de-duplication).
Ends with ``relay_throughput_ratio=<x> e2e_p50_ms=<a> e2e_p99_ms=<b> raw_p99_ms=<c>``.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kafka import KafkaConsumer, KafkaProducer

from bench.stats import percentile
from shared.db import Database
from shared.events import publish
from shared.events.bus.kafka import KafkaBus
from shared.events.consumer import ConsumerRunner
from shared.events.relay import Relay
from tests.infra import kafka as kafka_infra
from tests.infra import postgres as postgres_infra
from tests.support import pingpong
from tests.support.pingpong.events import PING_SENT
from tests.support.pingpong.handlers import HANDLERS


def sample_payload(db: Database, key: str) -> bytes:
    """The size of a real outbox row, so both paths send the same bytes."""
    from shared.events.envelope import EventEnvelope

    return EventEnvelope.new("/score/pingpong", PING_SENT.type, key, {
        "ping_id": 1, "org_id": "o", "key": key, "seq": 1, "poison": False}).to_bytes()


def raw_throughput(bootstrap: str, topic: str, count: int, value: bytes) -> float:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                             linger_ms=2)
    producer.send(topic, key=b"warm", value=value).get(timeout=30)
    started = time.perf_counter()
    for i in range(count):
        producer.send(topic, key=f"k{i % 64}".encode(), value=value)
    producer.flush()
    elapsed = time.perf_counter() - started
    producer.close()
    return count / elapsed


def fill_outbox(db: Database, count: int) -> None:
    with db.transaction() as session:
        for i in range(count):
            key = f"k{i % 64}"
            publish(session, PING_SENT, key, {"ping_id": i, "org_id": "o", "key": key, "seq": i})


def relay_throughput(db: Database, bus: KafkaBus, count: int, batch_size: int) -> float:
    fill_outbox(db, count)
    relay = Relay(db, bus, "pingpong", batch_size=batch_size)
    relay.leadership.acquire()
    started = time.perf_counter()
    sent = 0
    while sent < count:
        sent += relay.relay_once()
    elapsed = time.perf_counter() - started
    relay.leadership.release()
    return count / elapsed


def raw_round_trip(bootstrap: str, samples: int) -> list[float]:
    """produce (acks=all) → a consumer in a group receives it, one message at a time."""
    topic = f"bench.rtt.{uuid.uuid4().hex[:6]}"
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    producer.send(topic, b"warm").get(timeout=30)
    # From the earliest offset: "latest" could be resolved after a send and lose it.
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             group_id=f"rtt-{uuid.uuid4().hex[:6]}", enable_auto_commit=False)
    _receive(consumer, 1)
    latencies = []
    for _ in range(samples):
        started = time.perf_counter()
        producer.send(topic, b"ping").get(timeout=30)
        _receive(consumer, 1)
        latencies.append((time.perf_counter() - started) * 1000)
    consumer.close()
    producer.close()
    return latencies


def _receive(consumer: KafkaConsumer, count: int, timeout_s: float = 30) -> None:
    deadline, got = time.monotonic() + timeout_s, 0
    while got < count:
        if time.monotonic() > deadline:
            raise SystemExit("raw round trip: a message did not arrive within 30 s")
        got += sum(len(r) for r in consumer.poll(timeout_ms=100).values())


class TimedRunner(ConsumerRunner):
    """The real runner, noting when each event's handler transaction has committed."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.committed_at: dict[int, float] = {}

    def _apply(self, message, handler, event):
        outcome = super()._apply(message, handler, event)
        self.committed_at[event.data["ping_id"]] = time.perf_counter()
        return outcome


def end_to_end(producer_db: Database, consumer_db: Database, bus: KafkaBus, samples: int,
               interval_s: float) -> list[float]:
    stop = threading.Event()
    relay = Relay(producer_db, bus, "pingpong")
    runner = TimedRunner(consumer_db, bus, f"bench-{uuid.uuid4().hex[:6]}", HANDLERS)
    threads = [threading.Thread(target=relay.run, args=(stop,)),
               threading.Thread(target=runner.run, args=(stop,))]
    for thread in threads:
        thread.start()
    _drain_backlog(producer_db, runner)
    base = 10_000_000
    committed: dict[int, float] = {}
    for i in range(samples):
        with producer_db.transaction() as session:
            publish(session, PING_SENT, f"e{i % 8}", {"ping_id": base + i, "org_id": "o",
                                                     "key": f"e{i % 8}", "seq": i})
        committed[base + i] = time.perf_counter()
        time.sleep(interval_s)
    deadline = time.monotonic() + 60
    while len([k for k in committed if k in runner.committed_at]) < samples:
        if time.monotonic() > deadline:
            raise SystemExit("end-to-end events did not all arrive within 60 s")
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join(30)
    return [(runner.committed_at[k] - t0) * 1000 for k, t0 in committed.items()]


def _drain_backlog(producer_db: Database, runner: TimedRunner) -> None:
    # The throughput phase left events on the topic: let the consumer catch up first.
    from shared.events.outbox import backlog

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with producer_db.reading() as session:
            if backlog(session) == 0 and runner.stats["applied"] >= 1:
                lag = runner.bus.lag(runner.group, ["score.pingpong"])
                if lag["score.pingpong"] == 0:
                    return
        time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=20_000, help="messages per throughput run")
    parser.add_argument("--samples", type=int, default=300, help="latency samples")
    parser.add_argument("--batch-size", type=int, default=Relay.DEFAULT_BATCH_SIZE,
                        help="relay batch size (default: the relay's own default)")
    args = parser.parse_args()
    # Stop by ourselves whatever happens: children die with us (tests.infra).
    signal.alarm(900)
    print("starting Kafka and PostgreSQL ...", flush=True)
    with kafka_infra.start(jvm_options=()) as broker, postgres_infra.start() as pg:
        producer_db = Database(pg.create_database("bench_producer"))
        consumer_db = Database(pg.create_database("bench_consumer"))
        for db in (producer_db, consumer_db):
            db.migrate(pingpong.MIGRATIONS)
        bus = KafkaBus(broker.bootstrap, client_id="bench")
        value = sample_payload(producer_db, "k")
        print("raw producer throughput ...", flush=True)
        raw = raw_throughput(broker.bootstrap, f"bench.raw.{uuid.uuid4().hex[:6]}", args.count,
                             value)
        print("relay throughput ...", flush=True)
        relayed = relay_throughput(producer_db, bus, args.count, args.batch_size)
        print("raw round trip ...", flush=True)
        raw_rtt = raw_round_trip(broker.bootstrap, args.samples)
        print("end to end ...", flush=True)
        e2e = end_to_end(producer_db, consumer_db, bus, args.samples, interval_s=0.01)
    ratio = relayed / raw
    print(f"\n{'measure':<34}{'value':>14}")
    print(f"{'raw producer (msg/s)':<34}{raw:>14.0f}")
    print(f"{'relay from PostgreSQL (msg/s)':<34}{relayed:>14.0f}")
    print(f"{'message size (bytes)':<34}{len(value):>14}")
    print(f"{'raw round trip p50 / p99 (ms)':<34}{statistics.median(raw_rtt):>7.1f}"
          f"{percentile(raw_rtt, 99):>7.1f}")
    print(f"{'e2e outbox→handler p50 / p99 (ms)':<34}{statistics.median(e2e):>7.1f}"
          f"{percentile(e2e, 99):>7.1f}")
    print(f"relay_throughput_ratio={ratio:.2f} e2e_p50_ms={statistics.median(e2e):.1f} "
          f"e2e_p99_ms={percentile(e2e, 99):.1f} raw_p99_ms={percentile(raw_rtt, 99):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
