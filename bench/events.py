"""Event backbone benchmark: relay vs raw producer throughput, end-to-end latency by stage.

Starts a real Kafka broker and PostgreSQL, then in one run measures
1. raw kafka-python producer throughput (acks=all, idempotent) with the relay's
   records: same value size, same three CloudEvents headers – the baseline;
2. relay throughput: a ``score relay`` process publishing pre-filled outbox rows
   (from their commit until every row is marked sent); 1 and 2 alternate three
   times and the ratio divides their medians, so a busy machine skews both alike;
3. raw produce→consume round-trip latency, same records – the baseline;
4. end-to-end latency: outbox commit → the consumer's handler transaction committed,
   with relay and consumer in processes of their own as in production
   (``bench/event_stages.py``), and where the time goes, stage by stage.
Ends with ``relay_throughput_ratio=<x> e2e_p50_ms=<a> e2e_p99_ms=<b> raw_p99_ms=<c>``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.structs import OffsetAndMetadata  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.stats import percentile  # noqa: E402
from shared.db import Database  # noqa: E402
from shared.events import publish  # noqa: E402
from shared.events.envelope import CONTENT_TYPE, EventEnvelope  # noqa: E402
from shared.events.outbox import backlog  # noqa: E402
from shared.events.relay import Relay  # noqa: E402
from tests.infra import kafka as kafka_infra  # noqa: E402
from tests.infra import postgres as postgres_infra  # noqa: E402
from tests.support import pingpong  # noqa: E402
from tests.support.pingpong.events import PING_SENT  # noqa: E402
from tests.support.pingpong.models import Pong  # noqa: E402

TOPIC = PING_SENT.topic
STAGES = [("outbox commit → relay send", "committed", "sent"),
          ("relay send → broker ack", "sent", "acked"),
          ("broker ack → row marked sent", "acked", "marked"),
          ("broker ack → consumer poll", "acked", "polled"),
          ("consumer poll → handler commit", "polled", "applied"),
          ("outbox commit → handler commit", "committed", "applied")]


def relay_record(seq: int) -> tuple[bytes, list[tuple[str, bytes]]]:
    """A record as the relay sends it: a CloudEvent of the bench's type and its headers."""
    event = EventEnvelope.new("/score/pingpong", PING_SENT.type, f"k{seq % 64}", {
        "ping_id": seq, "org_id": "o", "key": f"k{seq % 64}", "seq": seq, "poison": False})
    return event.to_bytes(), [("content-type", CONTENT_TYPE.encode()),
                              ("ce_id", event.id.encode()), ("ce_type", event.type.encode())]


def raw_throughput(bootstrap: str, count: int) -> float:
    records = [relay_record(i) for i in range(count)]
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                             linger_ms=2)
    topic = f"bench.raw.{uuid.uuid4().hex[:6]}"
    producer.send(topic, key=b"warm", value=records[0][0]).get(timeout=30)
    started = time.perf_counter()
    for i, (value, headers) in enumerate(records):
        producer.send(topic, key=f"k{i % 64}".encode(), value=value, headers=headers)
    producer.flush()
    elapsed = time.perf_counter() - started
    producer.close()
    return count / elapsed


def cli_env(service: str, url: str, bootstrap: str, **extra: str) -> dict[str, str]:
    return dict(os.environ, **{f"SCORE_{service.upper()}_DATABASE_URL": url,
                               "SCORE_BUS": "kafka", "SCORE_KAFKA_BOOTSTRAP": bootstrap,
                               "SCORE_ENV": "test", "SCORE_LOG_LEVEL": "WARNING", **extra})


def publish_pings(db: Database, count: int, first: int = 0) -> list[str]:
    with db.transaction() as session:
        return [publish(session, PING_SENT, f"k{i % 64}", {
            "ping_id": i, "org_id": "o", "key": f"k{i % 64}", "seq": i}).id
            for i in range(first, first + count)]


def wait_until(condition, timeout_s: float, what: str, interval_s: float = 0.01) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: {what} did not happen within {timeout_s:.0f} s")
        time.sleep(interval_s)


def unsent(db: Database) -> int:
    with db.reading() as session:
        return backlog(session)


def throughputs(db: Database, bootstrap: str, count: int, batch_size: int,
                rounds: int = 3) -> tuple[float, float]:
    """Median raw and relay throughput (msg/s), measured in alternation."""
    relay = subprocess.Popen(
        [sys.executable, "-m", "shared.cli", "relay", "tests.support.pingpong:runtime"],
        env=cli_env("pingpong", db.url, bootstrap, SCORE_RELAY_BATCH_SIZE=str(batch_size)))
    raw, relayed = [], []
    try:
        publish_pings(db, 1)  # warm: connected, leading, topic known
        wait_until(lambda: unsent(db) == 0, 60, "the relay's first event")
        for _ in range(rounds):
            raw.append(raw_throughput(bootstrap, count))
            relayed.append(relay_throughput(db, count))
    finally:
        relay.send_signal(signal.SIGTERM)
        relay.wait(30)
    return statistics.median(raw), statistics.median(relayed)


def relay_throughput(db: Database, count: int) -> float:
    """Rows committed at once → all marked sent by the running ``score relay`` process."""
    publish_pings(db, count)
    started = time.perf_counter()
    wait_until(lambda: unsent(db) == 0, 300, "relaying the outbox")
    return count / (time.perf_counter() - started)


def raw_round_trip(bootstrap: str, samples: int) -> list[float]:
    """produce (acks=all) → a consumer in a group receives it, one relay-sized record at a time."""
    topic = f"bench.rtt.{uuid.uuid4().hex[:6]}"
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    producer.send(topic, b"warm").get(timeout=30)
    # From the earliest offset: "latest" could be resolved after a send and lose it.
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             group_id=f"rtt-{uuid.uuid4().hex[:6]}", enable_auto_commit=False)
    _receive(consumer, 1)
    latencies = []
    for i in range(samples):
        value, headers = relay_record(i)
        started = time.perf_counter()
        producer.send(topic, key=f"k{i % 64}".encode(), value=value, headers=headers).get(
            timeout=30)
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


def start_at_the_end(bootstrap: str, group: str) -> None:
    """Commit the topic's end offsets for ``group``: it skips the throughput phase's records."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group,
                             enable_auto_commit=False)
    parts = [TopicPartition(TOPIC, p) for p in consumer.partitions_for_topic(TOPIC) or []]
    ends = consumer.end_offsets(parts)
    consumer.commit({tp: OffsetAndMetadata(offset, "", -1) for tp, offset in ends.items()})
    consumer.close()


def applied(db: Database, ids: list[str]) -> bool:
    with db.reading() as session:
        found = set(session.scalars(select(Pong.event_id).where(Pong.event_id.in_(ids))))
    return found == set(ids)


def end_to_end(producer_db: Database, consumer_db: Database, bootstrap: str, samples: int,
               interval_s: float, workdir: Path) -> dict[str, dict[str, float]]:
    """Relay and consumer processes; events committed at a steady rate; stage times by id."""
    group = f"bench-{uuid.uuid4().hex[:6]}"
    start_at_the_end(bootstrap, group)
    stages = {name: workdir / f"{name}.json" for name in ("relay", "consumer")}
    stage = [sys.executable, "-m", "bench.event_stages"]
    workers = [subprocess.Popen([*stage, "relay", producer_db.url, bootstrap,
                                 str(stages["relay"])], cwd=ROOT),
               subprocess.Popen([*stage, "consume", consumer_db.url, bootstrap, group,
                                 str(stages["consumer"])], cwd=ROOT)]
    try:
        warm = publish_pings(producer_db, 1, first=20_000_000)
        wait_until(lambda: applied(consumer_db, warm), 120, "the first event", 0.05)
        committed: dict[str, float] = {}
        for i in range(samples):
            [event_id] = publish_pings(producer_db, 1, first=10_000_000 + i)
            committed[event_id] = time.time()
            time.sleep(interval_s)
        wait_until(lambda: applied(consumer_db, list(committed)), 60, "every event", 0.05)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(60)
    noted = {"committed": committed}
    for path in stages.values():
        noted.update(json.loads(path.read_text()))
    return noted


def stage_table(noted: dict[str, dict[str, float]]) -> list[tuple[str, float, float]]:
    rows = []
    for name, begin, end in STAGES:
        spans = [(noted[end][i] - t) * 1000 for i, t in noted[begin].items()
                 if i in noted["committed"] and i in noted.get(end, {})]
        if spans:
            rows.append((name, statistics.median(spans), percentile(spans, 99)))
    return rows


def cpu_per_event(noted: dict[str, dict[str, float]], first: str, last: str) -> float:
    """A worker's CPU milliseconds per sample, from the first sample's ``first`` stage on."""
    order = sorted(noted["committed"], key=noted["committed"].get)
    spent = noted[f"cpu:{last}"][order[-1]] - noted[f"cpu:{first}"][order[0]]
    return spent * 1000 / (len(order) - 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000,
                        help="messages per throughput run (three runs each)")
    parser.add_argument("--samples", type=int, default=300, help="latency samples")
    parser.add_argument("--batch-size", type=int, default=Relay.DEFAULT_BATCH_SIZE,
                        help="relay batch size (default: the relay's own default)")
    args = parser.parse_args()
    # Stop by ourselves whatever happens: children die with us (tests.infra).
    signal.alarm(900)
    print("starting Kafka and PostgreSQL ...", flush=True)
    with kafka_infra.start(jvm_options=()) as broker, postgres_infra.start() as pg, \
            tempfile.TemporaryDirectory(prefix="score-bench-") as workdir:
        producer_db = Database(pg.create_database("bench_producer"))
        consumer_db = Database(pg.create_database("bench_consumer"))
        for db in (producer_db, consumer_db):
            db.migrate(pingpong.MIGRATIONS)
        print("raw producer and relay throughput ...", flush=True)
        raw, relayed = throughputs(producer_db, broker.bootstrap, args.count, args.batch_size)
        print("raw round trip ...", flush=True)
        raw_rtt = raw_round_trip(broker.bootstrap, args.samples)
        print("end to end ...", flush=True)
        noted = end_to_end(producer_db, consumer_db, broker.bootstrap, args.samples,
                           interval_s=0.01, workdir=Path(workdir))
    e2e = [(noted["applied"][i] - t) * 1000 for i, t in noted["committed"].items()]
    ratio = relayed / raw
    print(f"\n{'measure':<36}{'value':>16}")
    print(f"{'raw producer, relay records (msg/s)':<36}{raw:>16.0f}")
    print(f"{'relay from PostgreSQL (msg/s)':<36}{relayed:>16.0f}")
    print(f"{'message size (bytes)':<36}{len(relay_record(0)[0]):>16}")
    print(f"{'raw round trip p50 / p99 (ms)':<36}{statistics.median(raw_rtt):>8.1f}"
          f"{percentile(raw_rtt, 99):>8.1f}")
    print(f"{'relay CPU per event (ms)':<36}{cpu_per_event(noted, 'sent', 'marked'):>16.2f}")
    print(f"{'consumer CPU per event (ms)':<36}"
          f"{cpu_per_event(noted, 'polled', 'applied'):>16.2f}")
    print(f"\n{'stage (ms)':<36}{'p50':>8}{'p99':>8}")
    for name, p50, p99 in stage_table(noted):
        print(f"{name:<36}{p50:>8.1f}{p99:>8.1f}")
    print(f"relay_throughput_ratio={ratio:.2f} e2e_p50_ms={statistics.median(e2e):.1f} "
          f"e2e_p99_ms={percentile(e2e, 99):.1f} raw_p99_ms={percentile(raw_rtt, 99):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
