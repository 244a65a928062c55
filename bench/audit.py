"""Audit benchmark: ingest vs a raw consume, feed pages, proofs and the offline verifier.

Starts a real Kafka broker and PostgreSQL, produces ``--events`` (default
1,000,000) catalog-like CloudEvents (~530 bytes, eight providers, four types) to
one ``score.*`` topic, then in one run measures:

1. the baseline: a raw kafka-python consumer reading the whole topic (the
   ingest's fetch settings, no processing), twice – before and after the
   ingest, so a busy machine skews both alike;
2. ingest: ``score job audit ingest`` as its own process, as in production,
   from the first entry stored to the last (startup and the group join left
   out, as for the raw consumer, whose clock starts at its first record);
3. the tree job (in process) catching up with every entry and signing heads –
   reported, not part of the last line;
4. feed pages at 16 clients (``--clients``) against the audit API under the
   production gunicorn settings: random ``after`` cursors, half of them with a
   provider or type filter, 100 entries a page;
5. inclusion proofs at 16 clients, random entries against the latest head;
6. ``score audit verify`` over the whole table (in process).

Ends with ``ingest_vs_raw_ratio=<x> feed_page_p99_ms=<y> proof_p99_ms=<z>
verify_events_per_s=<w> events=<n>`` (targets: ≥ 0.5, ≤ 50 ms, ≤ 20 ms, ≥ 50,000,
at 1,000,000 events).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kafka import KafkaConsumer, KafkaProducer  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.http_load import drive, gunicorn, stop, wait_ready  # noqa: E402
from bench.stats import percentile  # noqa: E402
from services import audit  # noqa: E402
from services.audit.log import job as tree_job  # noqa: E402
from services.audit.log.signer import HeadKey, Signer  # noqa: E402
from services.audit.log.verify import verify  # noqa: E402
from services.audit.models import Entry  # noqa: E402
from shared.db import Database  # noqa: E402
from shared.tokens import SigningKey, jwks  # noqa: E402
from tests.infra import kafka as kafka_infra  # noqa: E402
from tests.infra import postgres as postgres_infra  # noqa: E402
from tests.infra.ports import free_port  # noqa: E402
from tests.support.apps import bearer  # noqa: E402

TOPIC = "score.benchmarket"
TYPES = ("score.catalog.session.published.v1", "score.enrolment.enrolment.confirmed.v1",
         "score.enrolment.attendance.recorded.v1", "score.sponsorship.reservation.committed.v1")
PROVIDERS = 8
# What the raw consumer fetches at a time: the ingest's own poll size.
POLL_RECORDS = 2000


def event_bytes(i: int, rng: random.Random) -> bytes:
    """A structured-mode CloudEvent like catalog's, built without the SDK (a million of them)."""
    provider, kind = f"prov-{i % PROVIDERS}", TYPES[i % len(TYPES)]
    return json.dumps({
        "specversion": "1.0", "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "source": "/score/" + kind.split(".")[1], "type": kind, "subject": f"sess-{i % 5000}",
        "time": f"2026-11-30T04:{i // 60_000 % 60:02d}:{i // 1000 % 60:02d}.{i % 1000:03d}Z",
        "datacontenttype": "application/json",
        "dataschema": f"https://score.example/schemas/events/{kind}.json",
        "providerid": provider,
        "data": {"session_id": f"sess-{i % 5000}", "provider_id": provider, "capacity": 25,
                 "price_idr": 2_500_000, "province_code": "ID-JB", "module_code": "M1",
                 "title_en": "Workplace cooperation", "start_date": "2026-12-01"},
    }, separators=(",", ":")).encode()


def produce(bootstrap: str, count: int) -> float:
    """Fill the topic; returns the seconds it took."""
    rng = random.Random(2026)
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20,
                             batch_size=1 << 20)
    started = time.perf_counter()
    headers = [("content-type", b"application/cloudevents+json")]
    for i in range(count):
        producer.send(TOPIC, key=f"sess-{i % 5000}".encode(), value=event_bytes(i, rng),
                      headers=headers)
        if i and i % 100_000 == 0:
            print(f"  produced {i:,}", flush=True)
    producer.flush()
    producer.close()
    return time.perf_counter() - started


def raw_consume(bootstrap: str, count: int) -> float:
    """Records per second of a bare consumer, from its first record to the last."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=f"raw-{uuid.uuid4().hex[:6]}",
                             auto_offset_reset="earliest", enable_auto_commit=False)
    consumer.subscribe([TOPIC])
    got, first = 0, None
    deadline = time.monotonic() + 600
    while got < count and time.monotonic() < deadline:
        batches = consumer.poll(timeout_ms=1000, max_records=POLL_RECORDS)
        if batches and first is None:
            first = time.perf_counter()
        got += sum(len(records) for records in batches.values())
    elapsed = time.perf_counter() - (first or time.perf_counter())
    consumer.close()
    if got < count:
        raise SystemExit(f"bench: the raw consumer read {got} of {count}")
    return count / elapsed


def logged(db: Database) -> int:
    with db.reading() as session:
        return (session.scalar(select(func.max(Entry.seq))) or -1) + 1


def ingest(db: Database, env: dict, count: int, workdir: Path) -> float:
    """Entries per second of ``score job audit ingest``, first entry to last."""
    with open(workdir / "ingest.log", "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "job", "audit", "ingest"],
            env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        first = last = None
        deadline = time.monotonic() + 1200
        while time.monotonic() < deadline:
            stored = logged(db)
            now = time.perf_counter()
            if stored and first is None:
                first = (now, stored)
            if stored >= count:
                last = (now, stored)
                break
            if process.poll() is not None:
                raise SystemExit(f"bench: the ingest exited with {process.returncode}")
            time.sleep(0.05)
        if first is None or last is None:
            raise SystemExit(f"bench: the ingest stored {logged(db)} of {count}")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
    return (last[1] - first[1]) / (last[0] - first[0])


def grow_tree(db: Database, signer: Signer, count: int) -> float:
    """Entries per second of the tree job catching up with the log."""
    policy = tree_job.HeadPolicy()
    started, grown = time.perf_counter(), 0
    while grown < count:
        added = tree_job.grow(db, signer, policy)
        if not added:
            break
        grown += added
    return grown / (time.perf_counter() - started)


def http_p99(port: int, paths: list[str], clients: int, seconds: float, headers: dict,
             warmup: float) -> tuple[float, float, int, float]:
    """(p50, p99, errors, requests/s) of GETs over ``paths``, after a warm-up."""
    drive(port, paths, clients, warmup, 10**9, headers)
    latencies, errors, elapsed = drive(port, paths, clients, seconds, 10**9, headers)
    return (percentile(latencies, 50), percentile(latencies, 99), errors,
            len(latencies) / elapsed)


def feed_paths(count: int, rng: random.Random, n: int = 2000) -> list[str]:
    paths = []
    for i in range(n):
        after = rng.randrange(count)
        extra = ("", f"&provider=prov-{rng.randrange(PROVIDERS)}",
                 f"&type={TYPES[rng.randrange(len(TYPES))].rsplit('.', 2)[0]}", "")[i % 4]
        paths.append(f"/entries?limit=100&after={after}{extra}")
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15.0, help="per HTTP measure")
    parser.add_argument("--warmup", type=float, default=3.0)
    args = parser.parse_args()
    signal.alarm(3600)  # stop by ourselves whatever happens: children die with us
    workdir = Path(tempfile.mkdtemp(prefix="score-bench-audit-"))
    rng = random.Random(7)
    print("starting Kafka and PostgreSQL ...", flush=True)
    with kafka_infra.start(jvm_options=()) as broker, postgres_infra.start() as pg:
        url = pg.create_database("bench_audit")
        db = audit.runtime().database(url)
        db.migrate(audit.MIGRATIONS)
        key = HeadKey.generate()
        env = dict(os.environ, SCORE_ENV="test", SCORE_AUTO_MIGRATE="false",
                   SCORE_LOG_LEVEL="WARNING", SCORE_DATA_DIR=str(workdir),
                   SCORE_AUDIT_DATABASE_URL=url, SCORE_BUS="kafka",
                   SCORE_KAFKA_BOOTSTRAP=broker.bootstrap, SCORE_AUDIT_SIGNING_KEY=key.to_pem(),
                   BENCH_JWKS=json.dumps(jwks(token_key := SigningKey.generate())),
                   PYTHONPATH=str(ROOT))
        print(f"producing {args.events:,} events ...", flush=True)
        produced_s = produce(broker.bootstrap, args.events)
        print("raw consume ...", flush=True)
        raw = [raw_consume(broker.bootstrap, args.events)]
        print("ingest ...", flush=True)
        ingested = ingest(db, env, args.events, workdir)
        raw.append(raw_consume(broker.bootstrap, args.events))
        print("tree ...", flush=True)
        signer = Signer(key, ())
        tree_rate = grow_tree(db, signer, args.events)
        port = free_port()
        server = gunicorn("bench.audit_wsgi", port, env, workdir)
        try:
            wait_ready(server, port, "/healthz")
            headers = bearer(token_key, "ilo_auditor", subject="bench-auditor")
            print("feed pages ...", flush=True)
            feed = http_p99(port, feed_paths(args.events, rng), args.clients, args.seconds,
                            headers, args.warmup)
            print("inclusion proofs ...", flush=True)
            proof_paths = [f"/log/entries/{rng.randrange(args.events)}/inclusion"
                           for _ in range(2000)]
            proof = http_p99(port, proof_paths, args.clients, args.seconds, headers,
                             args.warmup)
        finally:
            stop(server)
        print("offline verify ...", flush=True)
        started = time.perf_counter()
        report = verify(db, signer)
        verify_rate = args.events / (time.perf_counter() - started)
        db.dispose()
    shutil.rmtree(workdir, ignore_errors=True)
    raw_rate = sum(raw) / len(raw)
    print(f"\n{'measure':<44}{'value':>16}")
    print(f"{'produce (events/s)':<44}{args.events / produced_s:>16.0f}")
    print(f"{'raw consume, before / after (events/s)':<44}{raw[0]:>8.0f}{raw[1]:>8.0f}")
    print(f"{'ingest into PostgreSQL (events/s)':<44}{ingested:>16.0f}")
    print(f"{'tree job (entries/s)':<44}{tree_rate:>16.0f}")
    for name, (p50, p99, errors, rate) in (("feed page", feed), ("inclusion proof", proof)):
        print(f"{name + ' p50 / p99 (ms)':<44}{p50:>8.1f}{p99:>8.1f}")
        print(f"{name + ' requests/s, errors':<44}{rate:>8.0f}{errors:>8}")
    print(f"{'verify (entries/s)':<44}{verify_rate:>16.0f}  ok={report.ok}")
    print(f"ingest_vs_raw_ratio={ingested / raw_rate:.2f} feed_page_p99_ms={feed[1]:.1f} "
          f"proof_p99_ms={proof[1]:.1f} verify_events_per_s={verify_rate:.0f} "
          f"events={args.events}")
    return 0 if report.ok and not feed[2] and not proof[2] else 1


if __name__ == "__main__":
    sys.exit(main())
