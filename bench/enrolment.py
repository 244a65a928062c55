"""Enrolment benchmark: seat holds vs a bare Flask endpoint, a rush on one session, holds → catalog.

Starts PostgreSQL and Kafka (``tests.infra``), bulk-loads sessions into catalog's and
enrolment's databases (``bench/enrolment_seed.py``), then, under the production gunicorn
settings (``-w 2 --threads 4``, ``shared.gunicorn_config``, loopback, free ports):

1. ``bare``: a bare Flask JSON endpoint (``bench/bare_wsgi.py`` ``/bare``), 32 clients –
   the ratio's baseline; ``bare-write`` (shown for reference) is the same app inserting
   and committing one PostgreSQL row per request, the floor of any writing endpoint;
2. ``hold``: ``POST /sessions/<id>/enrolments`` by 32 keep-alive clients, each request a
   new team (3 people) of another SME, spread over many sessions (none fills up) –
   every answer must be a 201; ``bare`` and ``hold`` run in interleaved rounds
   (``--rounds``), so other load on the machine spreads over both;
3. ``rush``: 64 clients fire 5 teams of 2 each at one 40-seat session at once; 20 fit;
   ``oversold`` = seats granted beyond capacity (by the counters, by the enrolments'
   participants and by the 201s – the worst of the three);
4. ``to catalog``: with ``score relay enrolment`` and ``score consume catalog`` running as
   in production, one enrolment at a time: a hold, its card checkout (the sandbox
   gateway), then – once catalog counts the hold – the ``checkout.session.completed``
   webhook signed as Stripe signs it; the time from sending the webhook until catalog's
   seat claim of that hold reads ``confirmed`` (polled in catalog's database): webhook
   verification and storage, ``enrolment.confirmed`` through outbox → relay → Kafka →
   catalog's consumer.

Ends with ``hold_vs_bare_ratio=<x> hold_p99_ms=<y> confirm_to_catalog_p99_ms=<z> oversold=<n>``
(targets: ratio ≥ 0.3, hold p99 ≤ 150 ms, to-catalog p99 ≤ 1000 ms, oversold 0).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import stripe  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from bench import enrolment_seed as seed  # noqa: E402
from bench.http_load import drive, gunicorn, stop, wait_ready  # noqa: E402
from bench.stats import percentile  # noqa: E402
from services import catalog, enrolment  # noqa: E402
from services.enrolment.models import Enrolment, OfferedSession  # noqa: E402
from services.enrolment.payments import sandbox  # noqa: E402
from services.enrolment.payments.settings import SANDBOX_WEBHOOK_SECRET  # noqa: E402
from shared import clock  # noqa: E402
from shared.db import Database  # noqa: E402
from shared.events.outbox import backlog  # noqa: E402
from shared.tokens import SigningKey, jwks  # noqa: E402
from tests.infra import kafka as kafka_infra  # noqa: E402
from tests.infra import postgres as postgres_infra  # noqa: E402
from tests.infra import spawn  # noqa: E402
from tests.infra.ports import LOOPBACK, free_port  # noqa: E402

PER_CLIENT_SMES, RUSH_TEAMS, HOT_CAPACITY = 60, 5, 40
Request = tuple[str, str, bytes]  # path, Authorization, body


def hold_plans(clients: int, sessions: list[str], smes: list[str], auth: dict[str, str],
               per_client: int) -> list[list[Request]]:
    """Per client, ``per_client`` holds, each (SME, session) pair once and no session full."""
    body, plans = seed.team_body(3), []
    for k in range(clients):
        mine = smes[k * PER_CLIENT_SMES:(k + 1) * PER_CLIENT_SMES]
        plans.append([(f"/sessions/{sessions[(k * 61 + i) % len(sessions)]}/enrolments",
                       auth[mine[i % len(mine)]], body) for i in range(per_client)])
    return plans


def post_all(port: int, plans: list, seconds: float,
             start: threading.Barrier | None = None) -> tuple[list[float], dict[int, int], float]:
    """One keep-alive client per plan (a list, or an iterator shared across calls) until
    its plan or the time runs out.

    Returns (latencies ms, answers by status, elapsed s).
    """
    latencies: list[list[float]] = [[] for _ in plans]
    statuses: list[dict[int, int]] = [{} for _ in plans]
    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
        if start is not None:
            start.wait()
        for path, authorization, body in plans[n]:
            if time.monotonic() >= deadline:
                break
            began = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers={
                    "Authorization": authorization, "Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
                status = 0
            latencies[n].append((time.perf_counter() - began) * 1000)
            statuses[n][status] = statuses[n].get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(len(plans))]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged: dict[int, int] = {}
    for per in statuses:
        for status, count in per.items():
            merged[status] = merged.get(status, 0) + count
    return [x for per in latencies for x in per], merged, time.perf_counter() - began


def oversold(db: Database, session_id: str, granted: int) -> int:
    """Seats granted beyond capacity in one session: the worst of three independent counts."""
    with db.reading() as session:
        offered = session.get(OfferedSession, session_id)
        assert offered is not None
        rows = session.scalar(select(func.coalesce(func.sum(Enrolment.participants_count), 0))
                              .where(Enrolment.session_id == session_id,
                                     Enrolment.status == "held"))
    counted = offered.seats_held + offered.seats_confirmed
    return max(0, counted - offered.capacity, rows - offered.capacity,
               granted - offered.capacity)


def _post(conn: http.client.HTTPConnection, path: str, body: bytes,
          headers: dict[str, str]) -> tuple[int, dict]:
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"{}")


def _paid_event(enrolment_id: str, payment: dict) -> bytes:
    """``checkout.session.completed`` for ``payment``, as Stripe (here: the sandbox) sends it."""
    checkout = sandbox.SandboxCheckout(
        payment_id=payment["id"], enrolment_id=enrolment_id,
        checkout_id=sandbox.checkout_id(payment["id"]), amount=payment["amount"],
        expires_at=clock.now() + dt.timedelta(hours=1), success_url="https://bench.invalid/ok",
        cancel_url="https://bench.invalid/cancel")
    return json.dumps(sandbox.checkout_completed(checkout)).encode()


def _wait_for_claim(connection, hold_id: str, state: str, since: float) -> None:
    query = text("SELECT state FROM seat_claims WHERE hold_id = :h")
    while connection.execute(query, {"h": hold_id}).scalar() != state:
        connection.rollback()
        if time.perf_counter() - since > 30:
            raise SystemExit(f"catalog never saw hold {hold_id} {state} (consumer running?)")
        time.sleep(0.002)
    connection.rollback()


def to_catalog(port: int, catalog_db: Database,
               requests: list[tuple[str, Request]]) -> list[float]:
    """Per sample: hold a team and open its card checkout; once catalog counts the hold,
    POST the signed ``checkout.session.completed`` webhook. Returns the ms from sending
    the webhook until catalog's seat claim of that hold reads ``confirmed``."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    latencies = []
    with catalog_db.engine.connect() as connection:
        for _session_id, (path, authorization, body) in requests:
            user = {"Authorization": authorization, "Content-Type": "application/json"}
            status, held = _post(conn, path, body, user)
            assert status == 201, (status, held)
            status, opened = _post(conn, f"/enrolments/{held['id']}/checkout", b"",
                                   {"Authorization": authorization})
            assert status == 201, (status, opened)
            # A new hold's id is its enrolment's (catalog keys its seat claims by hold).
            _wait_for_claim(connection, held["id"], "held", time.perf_counter())
            event = _paid_event(held["id"], opened["payment"])
            signature = stripe.WebhookSignature.generate_signature_header(
                event.decode(), SANDBOX_WEBHOOK_SECRET)
            sent = time.perf_counter()
            status, _ = _post(conn, "/webhooks/stripe", event, {
                "Stripe-Signature": signature, "Content-Type": "application/json"})
            assert status == 200, status
            _wait_for_claim(connection, held["id"], "confirmed", sent)
            latencies.append((time.perf_counter() - sent) * 1000)
            time.sleep(0.05)
    conn.close()
    return latencies


def caught_up(enrolment_db: Database, catalog_db: Database) -> bool:
    """Every committed hold relayed, and catalog counting as many seats as enrolment."""
    with enrolment_db.reading() as session:
        if backlog(session):
            return False
        ours = session.scalar(select(func.sum(OfferedSession.seats_held
                                              + OfferedSession.seats_confirmed)))
    with catalog_db.engine.connect() as connection:
        theirs = connection.execute(text("SELECT sum(seats_taken) FROM sessions")
                                    ).scalar()
    return ours == theirs


def workers(env: dict, urls: dict[str, str], bootstrap: str, workdir: Path) -> list:
    """``score relay enrolment`` and ``score consume catalog``, as production runs them."""
    out = []
    for service, command in (("enrolment", "relay"), ("catalog", "consume")):
        worker_env = {**env, f"SCORE_{service.upper()}_DATABASE_URL": urls[service],
                      "SCORE_BUS": "kafka", "SCORE_KAFKA_BOOTSTRAP": bootstrap}
        out.append(spawn([sys.executable, "-m", "shared.cli", command, service],
                         log=workdir / f"{service}-{command}.log", cwd=ROOT, env=worker_env))
    return out


def interleaved(bare_port: int, port: int, plans: list, args) -> dict[str, tuple]:
    """``bare`` and ``hold`` in turn, ``args.rounds`` rounds each after a short warm-up, so
    load from anything else on the machine spreads over both."""
    bare: tuple[list[float], dict[int, int], float] = ([], {}, 0.0)
    hold: tuple[list[float], dict[int, int], float] = ([], {}, 0.0)
    write: tuple[list[float], dict[int, int], float] = ([], {}, 0.0)
    slice_s, warm_s = args.seconds / args.rounds, args.warmup / args.rounds
    for _round in range(args.rounds):
        drive(bare_port, ["/bare"], args.clients, warm_s, 10**7)
        latencies, errors, elapsed = drive(bare_port, ["/bare"], args.clients, slice_s, 10**7)
        bare = _add(bare, (latencies, {200: len(latencies) - errors, 0: errors}, elapsed))
        latencies, errors, elapsed = drive(bare_port, ["/bare-write"], args.clients, slice_s,
                                           10**7)
        write = _add(write, (latencies, {200: len(latencies) - errors, 0: errors}, elapsed))
        post_all(port, plans, warm_s)
        hold = _add(hold, post_all(port, plans, slice_s))
    return {"bare": bare, "bare-write": write, "hold": hold}


def _add(total: tuple, part: tuple) -> tuple:
    statuses = dict(total[1])
    for status, count in part[1].items():
        statuses[status] = statuses.get(status, 0) + count
    return total[0] + part[0], statuses, total[2] + part[2]


def row(name: str, latencies: list[float], statuses: dict[int, int], elapsed: float) -> str:
    errors = sum(c for s, c in statuses.items() if s not in (200, 201))
    return (f"{name:<11}{len(latencies):>9}{errors:>8}{len(latencies) / elapsed:>9.0f}"
            f"{percentile(latencies, 50):>9.1f}{percentile(latencies, 90):>9.1f}"
            f"{percentile(latencies, 99):>9.1f}{max(latencies):>9.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--rush-clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=15.0, help="per target, all rounds")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of targets")
    parser.add_argument("--warmup", type=float, default=3.0, help="per target, all rounds")
    parser.add_argument("--sessions", type=int, default=3000)
    parser.add_argument("--latency-samples", type=int, default=100)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="score-bench-enrolment-"))
    pg, broker, processes = postgres_infra.start(), None, []
    try:
        broker = kafka_infra.start()
        urls = {name: pg.create_database(f"bench_{name}") for name in ("catalog", "enrolment")}
        catalog_db, enrolment_db = Database(urls["catalog"]), Database(urls["enrolment"])
        catalog_db.migrate(catalog.MIGRATIONS)
        enrolment_db.migrate(enrolment.MIGRATIONS)
        sessions = [str(uuid.uuid4()) for _ in range(args.sessions)]
        hot = str(uuid.uuid4())
        latency_sessions = [str(uuid.uuid4()) for _ in range(args.latency_samples)]
        every = [*sessions, hot, *latency_sessions]
        capacities = [40] * len(sessions) + [HOT_CAPACITY] + [40] * len(latency_sessions)
        provider = seed.seed_catalog(catalog_db, every, capacities)
        throughput_smes = args.clients * PER_CLIENT_SMES
        rush_smes = args.rush_clients * RUSH_TEAMS
        smes = seed.seed_enrolment(enrolment_db, provider, every, capacities,
                                   throughput_smes + rush_smes + len(latency_sessions))
        key = SigningKey.generate()
        auth = seed.tokens(key, smes)
        writes_url = pg.create_database("bench_writes")
        writes_db = Database(writes_url)
        with writes_db.transaction() as session:
            session.execute(text("CREATE TABLE bench_writes "
                                 "(id bigserial PRIMARY KEY, body text NOT NULL)"))
        writes_db.dispose()
        print(f"seeded {len(every)} sessions and {len(smes)} SMEs into PostgreSQL")

        env = dict(os.environ, SCORE_ENV="test", SCORE_AUTO_MIGRATE="false",
                   SCORE_LOG_LEVEL="WARNING", SCORE_DATA_DIR=str(workdir),
                   SCORE_ENROLMENT_DATABASE_URL=urls["enrolment"], SCORE_BUS="kafka",
                   SCORE_KAFKA_BOOTSTRAP=broker.bootstrap, SCORE_TOKEN_ISSUER=seed.ISSUER,
                   SCORE_TOKEN_AUDIENCE=seed.AUDIENCE, BENCH_JWKS=json.dumps(jwks(key)),
                   BENCH_WRITE_URL=writes_url,
                   PYTHONPATH=str(ROOT))
        bare_port, port = free_port(), free_port()
        for module, at, ready in (("bench.bare_wsgi", bare_port, "/bare"),
                                  ("bench.enrolment_wsgi", port, "/healthz")):
            processes.append(gunicorn(module, at, env, workdir))
            wait_ready(processes[-1], at, ready)
        plans = [iter(plan) for plan in hold_plans(args.clients, sessions,
                                                   smes[:throughput_smes], auth,
                                                   PER_CLIENT_SMES * 50)]
        results = interleaved(bare_port, port, plans, args)

        rush_ids = smes[throughput_smes:throughput_smes + rush_smes]
        body = seed.team_body(2)
        rush = [[(f"/sessions/{hot}/enrolments", auth[sme], body)
                 for sme in rush_ids[k * RUSH_TEAMS:(k + 1) * RUSH_TEAMS]]
                for k in range(args.rush_clients)]
        results["rush"] = post_all(port, rush, 120, threading.Barrier(args.rush_clients))
        sold = oversold(enrolment_db, hot, 2 * results["rush"][1].get(201, 0))

        processes += workers(env, urls, broker.bootstrap, workdir)
        drained = time.perf_counter()
        while not caught_up(enrolment_db, catalog_db):
            if time.perf_counter() - drained > 600:
                raise SystemExit("catalog did not catch up with the holds in 10 minutes")
            time.sleep(0.2)
        drained = time.perf_counter() - drained
        latency_smes = smes[throughput_smes + rush_smes:]
        samples = to_catalog(port, catalog_db, [
            (sid, (f"/sessions/{sid}/enrolments", auth[sme], seed.team_body(3)))
            for sid, sme in zip(latency_sessions, latency_smes, strict=True)])
        catalog_db.dispose()
        enrolment_db.dispose()
    finally:
        for process in reversed(processes):
            stop(process)
        if broker is not None:
            broker.stop()
        pg.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"\ngunicorn -w 2 --threads 4, PostgreSQL, {os.cpu_count()} CPUs shared with the "
          f"clients; {args.clients} clients (rush: {args.rush_clients})\n")
    print(f"{'target':<11}{'requests':>9}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}"
          f"{'p99 ms':>9}{'max ms':>9}")
    for name in ("bare", "bare-write", "hold"):
        print(row(name, *results[name]))
    rush_latencies, rush_statuses, rush_elapsed = results["rush"]
    print(f"{'rush':<11}{len(rush_latencies):>9}{'':>8}{len(rush_latencies) / rush_elapsed:>9.0f}"
          f"{percentile(rush_latencies, 50):>9.1f}{percentile(rush_latencies, 90):>9.1f}"
          f"{percentile(rush_latencies, 99):>9.1f}{max(rush_latencies):>9.1f}"
          f"   answers {dict(sorted(rush_statuses.items()))}")
    print(f"{'to catalog':<11}{len(samples):>9}{'':>8}{'':>9}{percentile(samples, 50):>9.1f}"
          f"{percentile(samples, 90):>9.1f}{percentile(samples, 99):>9.1f}{max(samples):>9.1f}"
          f"   (backlog of {sum(results['hold'][1].values())} holds drained in {drained:.1f}s)")
    hold_latencies, hold_statuses, hold_elapsed = results["hold"]
    if set(hold_statuses) != {201}:
        print(f"WARNING: holds answered {hold_statuses}")
    ratio = (len(hold_latencies) / hold_elapsed) / (len(results["bare"][0]) / results["bare"][2])
    print(f"hold_vs_bare_ratio={ratio:.2f} hold_p99_ms={percentile(hold_latencies, 99):.1f} "
          f"confirm_to_catalog_p99_ms={percentile(samples, 99):.1f} oversold={sold}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
