"""Certification benchmark: the public verification endpoint vs a bare JOSE verify, and
issuing participation certificates under load.

Starts PostgreSQL (``tests.infra``), migrates certification, installs a fresh issuer
key and issues a few participation certificates through the use case (:func:`seed`,
what ``enrolment.completed`` does), then, under the production gunicorn settings
(``-w 2 --threads 4``, ``shared.gunicorn_config``, loopback, free ports):

1. ``bare-verify`` vs ``verify``, 32 keep-alive clients (``--clients``) in interleaved
   rounds (``--rounds``, so other load on the machine spreads over both):
   ``POST /credentials/verify`` – signature, claims, validity window and the status
   list from the service's database (a revision read per request; the decoded list
   cached per revision) – against ``bench/certification_bare_wsgi.py``, which only
   checks the same token's signature with PyJWT and answers its claims;
2. ``issue``: ``--issue-clients`` threads (default 8) each issuing participation
   certificates one per transaction through the use case
   (:func:`services.certification.service.participation.issue_for_completion`, as the
   consumer does), every one taking its random status slot under the list's row lock.

Ends with ``verify_vs_raw_ratio=<x> verify_p99_ms=<y> issue_p99_ms=<z>`` (targets: ratio
≥ 0.3 at 32 clients, verify p99 ≤ 50 ms, issue p99 ≤ 200 ms).
"""

from __future__ import annotations

import argparse
import itertools
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

from bench.enrolment import post_all, row  # noqa: E402
from bench.http_load import gunicorn, stop, wait_ready  # noqa: E402
from bench.stats import percentile  # noqa: E402
from services import certification  # noqa: E402
from services.certification import issuer as issuer_settings  # noqa: E402
from services.certification.credentials.keys import Issuer, IssuerKey  # noqa: E402
from services.certification.service import participation  # noqa: E402
from shared import clock  # noqa: E402
from shared.db import Database  # noqa: E402
from shared.tokens import SigningKey, jwks  # noqa: E402
from tests.infra import postgres as postgres_infra  # noqa: E402
from tests.infra.ports import free_port  # noqa: E402

Results = tuple[list[float], dict[int, int], float]  # latencies ms, answers by status, s


def completion(participants: int) -> dict:
    """What certification reads of an ``enrolment.completed`` where all completed."""
    return {"enrolment_id": str(uuid.uuid4()), "provider_id": str(uuid.uuid4()),
            "module_code": "M1", "start_date": None, "end_date": None,
            "provider_name": "PT Bench Pelatihan",
            "outcomes": [{"participant_id": str(uuid.uuid4()), "full_name": f"Peserta {n}",
                          "completed": True} for n in range(participants)]}


def seed(db: Database, participants: int) -> list[str]:
    """Participation certificates issued through the use case; their tokens."""
    with db.transaction() as session:
        issued = participation.issue_for_completion(session, completion(participants),
                                                    occurred=clock.now(), actor="bench")
        return [credential.token for credential in issued]


def issue_load(db: Database, clients: int, seconds: float) -> Results:
    """``clients`` threads issuing one certificate per transaction until time runs out."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures = [0] * clients
    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        while time.monotonic() < deadline:
            began = time.perf_counter()
            try:
                with db.transaction() as session:
                    participation.issue_for_completion(session, completion(1),
                                                       occurred=clock.now(), actor="bench")
            except Exception:  # counted and reported: the bench goes on
                failures[n] += 1
            latencies[n].append((time.perf_counter() - began) * 1000)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = [x for per in latencies for x in per]
    return done, {201: len(done) - sum(failures), 0: sum(failures)}, \
        time.perf_counter() - started


def _merged(total: Results, part: Results) -> Results:
    statuses = dict(total[1])
    for status, count in part[1].items():
        statuses[status] = statuses.get(status, 0) + count
    return total[0] + part[0], statuses, total[2] + part[2]


def measure(ports: dict[str, int], tokens: list[str], args) -> dict[str, Results]:
    """Verification against the bare baseline in interleaved rounds."""
    bodies = [json.dumps({"token": token}).encode() for token in tokens]
    requests = {"bare-verify": [("/bare-verify", "", b) for b in bodies],
                "verify": [("/credentials/verify", "", b) for b in bodies]}
    results: dict[str, Results] = {name: ([], {}, 0.0) for name in requests}
    slice_s, warm_s = args.seconds / args.rounds, args.warmup / args.rounds
    for _round in range(args.rounds):
        for name, port in (("bare-verify", ports["bare"]), ("verify", ports["service"])):
            mine = requests[name]
            plans = [itertools.cycle(mine[n % len(mine):] + mine[:n % len(mine)])
                     for n in range(args.clients)]
            post_all(port, plans, warm_s)
            results[name] = _merged(results[name], post_all(port, plans, slice_s))
    return results


def report(results: dict[str, Results], args) -> None:
    """The table and the machine-readable last line."""
    print(f"\ngunicorn -w 2 --threads 4, PostgreSQL, {os.cpu_count()} CPUs shared with the "
          f"clients; {args.clients} clients (issue: {args.issue_clients} threads, use case)\n")
    print(f"{'target':<12}{'requests':>9}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}"
          f"{'p99 ms':>9}{'max ms':>9}")
    for name, (latencies, statuses, elapsed) in results.items():
        print(row(name, latencies, statuses, elapsed))
    for name, expected in (("verify", {200}), ("bare-verify", {200}), ("issue", {201, 0})):
        if not set(results[name][1]) <= expected or results[name][1].get(0):
            print(f"WARNING: {name} answered {results[name][1]}")
    rps = {name: len(lat) / elapsed for name, (lat, _s, elapsed) in results.items()}
    print(f"verify_vs_raw_ratio={rps['verify'] / rps['bare-verify']:.2f} "
          f"verify_p99_ms={percentile(results['verify'][0], 99):.1f} "
          f"issue_p99_ms={percentile(results['issue'][0], 99):.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--issue-clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=12.0, help="per target, all rounds")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved verify rounds")
    parser.add_argument("--warmup", type=float, default=3.0, help="per target, all rounds")
    parser.add_argument("--tokens", type=int, default=64)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="score-bench-certification-"))
    pg, processes = postgres_infra.start(), []
    try:
        url = pg.create_database("bench_certification")
        db = certification.runtime().database(url)
        db.migrate(certification.MIGRATIONS)
        key, public_url = IssuerKey.generate(), f"http://127.0.0.1:{free_port()}"
        issuer = Issuer(public_url, key, name=issuer_settings.ISSUER_NAME)
        issuer_settings.install(issuer)
        tokens = seed(db, args.tokens)
        print(f"issued {len(tokens)} participation certificates into PostgreSQL")

        env = dict(os.environ, SCORE_ENV="test", SCORE_AUTO_MIGRATE="false",
                   SCORE_LOG_LEVEL="WARNING", SCORE_DATA_DIR=str(workdir),
                   SCORE_CERTIFICATION_DATABASE_URL=url,
                   SCORE_CERTIFICATION_ISSUER_KEY=key.to_pem(),
                   SCORE_CERTIFICATION_PUBLIC_URL=public_url,
                   BENCH_JWKS=json.dumps(jwks(SigningKey.generate())),
                   BENCH_ISSUER_JWK=json.dumps(issuer.public_jwk()), PYTHONPATH=str(ROOT))
        ports = {"service": free_port(), "bare": free_port()}
        processes.append(gunicorn("bench.certification_wsgi", ports["service"], env, workdir))
        wait_ready(processes[-1], ports["service"], "/healthz")
        processes.append(gunicorn("bench.certification_bare_wsgi", ports["bare"], env,
                                  workdir))
        wait_ready(processes[-1], ports["bare"], "/bare")
        results = measure(ports, tokens, args)
        for process in reversed(processes):
            stop(process)
        processes.clear()
        issue_load(db, args.issue_clients, args.warmup)
        results["issue"] = issue_load(db, args.issue_clients, args.seconds / 2)
        db.dispose()
    finally:
        for process in reversed(processes):
            stop(process)
        pg.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    report(results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
