"""Catalog search benchmark: the public ``GET /sessions`` vs a bare Flask JSON endpoint.

Seeds 10,000 sessions (SQLite by default; ``--database postgres`` starts a throwaway
PostgreSQL via ``tests.infra.postgres``), then starts under the same gunicorn
settings (``-w 2 --threads 4``, loopback, free ports) the catalog app (page cache
on, and off) and a bare Flask app, and drives the targets in interleaved rounds
(``--rounds``, so load from anything else on the machine spreads over all of them)
with 32 concurrent keep-alive clients (bounded by time and count) using a
realistic mix of searches: landing page, province/module/city filters, text,
dates, price, free seats, sort orders and second pages. Prints a table, stops the
servers, and ends with
``search_vs_bare_ratio=<x> search_p99_ms=<y> mixed_vs_bare_ratio=<m> mixed_p99_ms=<z>``
(targets: search ratio ≥ 0.8, mixed ratio ≥ 0.5, p99 ≤ 50 ms).
The ratios divide by ``/bare`` (a tiny JSON); ``/bare-page`` (a search-sized page,
serialised per request) is shown for reference: it is what the payload alone costs.
``search`` is the service as deployed (pages cached, never stale) with no writes;
``mixed`` is the same while seat events and session edits arrive at steady rates
(``--seat-events``, ``--edits`` per second; see ``bench/catalog_writes.py``);
``uncached`` is the same app with the cache off, shown so the cache's share is visible.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from bench.catalog_writes import SteadyWrites  # noqa: E402
from bench.http_load import drive, gunicorn, stop, wait_ready  # noqa: E402
from bench.stats import percentile  # noqa: E402
from services import catalog  # noqa: E402
from services.catalog import search  # noqa: E402
from services.catalog.models import Course, Provider, Province, TrainingSession  # noqa: E402
from shared import clock  # noqa: E402
from shared.db import Database  # noqa: E402
from tests.infra.ports import LOOPBACK, free_port  # noqa: E402

WORDS = ["kerja sama", "mutu", "produksi bersih", "keselamatan", "cooperation", "quality",
         "waste", "safety", "workforce", "kaizen", "dialog", "K3"]
TOPICS = {"M1": ("Kerja Sama di Tempat Kerja", "Workplace Cooperation", "dialog"),
          "M2": ("Mutu – Perbaikan Berkelanjutan", "Quality Improvement", "kaizen"),
          "M3": ("Produksi Bersih", "Cleaner Production", "waste"),
          "M4": ("Manajemen Tenaga Kerja", "Workforce Management", "workforce"),
          "M5": ("Keselamatan dan Kesehatan Kerja", "Safety and Health", "safety K3")}


def seed(db: Database, sessions: int, rng: random.Random) -> tuple[list[str], list[str]]:
    """Bulk-load providers, courses and ``sessions`` sessions; returns (provinces, cities)."""
    now, today = dt.datetime.now(dt.UTC), clock.today()
    with db.reading() as session:
        provinces = list(session.scalars(select(Province.bps_code)))
    busy = ["31", "32", "33", "34", "35", "36", "51", "12", "73"]  # Java, Bali, Medan, Makassar
    weights = [6 if p in busy else 1 for p in provinces]
    cities = {p: [f"Kota {p}-{n}" for n in range(3)] for p in provinces}
    providers, courses, rows = [], [], []
    for i in range(48):
        pid = str(uuid.uuid4())
        status = "approved" if i < 42 else ("suspended" if i < 46 else "pending")
        providers.append({"id": pid, "legal_name": f"Lembaga Pelatihan {i}",
                          "npwp": f"{9_000_000_000_000_000 + i:016d}", "contact_name": "Siti",
                          "email": f"p{i}@bench.example", "phone": "+62 21 555 0100",
                          "address": "Jakarta", "description": "", "status": status,
                          "registered_by": "bench", "created_at": now, "updated_at": now})
        for module in rng.sample(list(TOPICS), rng.randint(2, 5)):
            title_id, title_en, word = TOPICS[module]
            courses.append({
                "id": str(uuid.uuid4()), "provider_id": pid, "module_code": module,
                "title_id": f"SCORE {module}: {title_id} ({i})",
                "title_en": f"SCORE {module}: {title_en} ({i})",
                "description_id": f"Lokakarya dua hari: {title_id.lower()}, {word}. " * 4,
                "description_en": f"Two-day workshop: {title_en.lower()}, {word}. " * 4,
                "language": "en" if rng.random() < 0.2 else "id", "classroom_days": 2,
                "consultancy_visits": rng.randint(1, 4),
                "price_per_participant": rng.choice(range(1_000_000, 4_000_001, 250_000)),
                "max_participants_per_enterprise": 4, "status": "published",
                "created_at": now, "updated_at": now, "published_at": now})
    for _ in range(sessions):
        course = rng.choice(courses)
        province = rng.choices(provinces, weights)[0]
        city = rng.choice(cities[province])
        start = today + dt.timedelta(days=rng.randint(-30, 365))
        status = rng.choices(["published", "draft", "in_progress", "completed", "cancelled"],
                             [88, 4, 3, 3, 2])[0]
        capacity = rng.choice([16, 20, 24])
        rows.append({
            "id": str(uuid.uuid4()), "course_id": course["id"],
            "provider_id": course["provider_id"], "module_code": course["module_code"],
            "start_date": start, "end_date": start + dt.timedelta(days=1),
            "enrolment_deadline": start - dt.timedelta(days=7), "venue_address": "Aula",
            "city": city, "city_key": city.casefold(), "province_code": province,
            "capacity": capacity,
            "seats_taken": capacity if rng.random() < 0.1 else rng.randint(0, capacity),
            "ilo_supervised": rng.random() < 0.3, "estimated_delivery_cost": 40_000_000,
            "price_per_participant": None if status == "draft" else
            course["price_per_participant"], "status": status,
            "published_at": None if status == "draft" else now,
            "created_at": now, "updated_at": now})
    with db.transaction() as session:
        session.execute(insert(Provider.__table__), providers)
        session.execute(insert(Course.__table__), courses)
        for chunk in range(0, len(rows), 2000):
            session.execute(insert(TrainingSession.__table__), rows[chunk:chunk + 2000])
    # Planner statistics, as autovacuum (PostgreSQL) would gather after a bulk load.
    with db.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    return provinces, [c for cs in cities.values() for c in cs]


def query_mix(db: Database, provinces: list[str], cities: list[str], rng: random.Random,
              count: int = 4000) -> list[str]:
    """Request paths in a realistic proportion (a landing page dominates)."""
    today = clock.today()

    def page_two(args: dict) -> dict:
        first = search.search_sessions(db, {"limit": 20, "sort": "date", **args})
        return {**args, "cursor": first["next_cursor"]} if first["next_cursor"] else args

    makers = [
        (25, lambda: {}),
        (15, lambda: {"province": rng.choice(provinces)}),
        (10, lambda: {"module": rng.choice(list(TOPICS))}),
        (8, lambda: {"module": rng.choice(list(TOPICS)), "province": rng.choice(provinces)}),
        (10, lambda: {"q": rng.choice(WORDS)}),
        (4, lambda: {"q": rng.choice(WORDS), "language": rng.choice(["id", "en"])}),
        (8, lambda: {"date_from": (today + dt.timedelta(days=30)).isoformat(),
                     "date_to": (today + dt.timedelta(days=rng.choice([60, 90]))).isoformat(),
                     "has_free_seats": "true"}),
        (6, lambda: {"price_max": rng.choice([1_500_000, 2_000_000, 3_000_000]),
                     "sort": rng.choice(["price", "-price"])}),
        (6, lambda: {"city": rng.choice(cities)}),
        (8, lambda: page_two(rng.choice([{}, {"province": rng.choice(provinces)},
                                         {"module": rng.choice(list(TOPICS))}]))),
    ]
    weights = [w for w, _ in makers]
    paths = []
    for _ in range(count):
        args = rng.choices(makers, weights)[0][1]()
        paths.append("/sessions" + ("?" + urllib.parse.urlencode(args) if args else ""))
    return paths


def shown_sessions(port: int, paths: list[str]) -> list[tuple[str, str]]:
    """(session id, provider id) of every session on the first page of ``paths``."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    shown: dict[str, str] = {}
    try:
        for path in dict.fromkeys(paths):
            conn.request("GET", path)
            for item in json.loads(conn.getresponse().read())["items"]:
                shown[item["id"]] = item["provider"]["id"]
    finally:
        conn.close()
    return sorted(shown.items())


# Target -> (server, paths: None for the query mix); servers are started once each.
TARGETS = {"bare": ("bare", ["/bare"]), "bare-page": ("bare", ["/bare-page"]),
           "bare-bytes": ("bare", ["/bare-bytes"]), "search": ("cached", None),
           "mixed": ("cached", None), "uncached": ("uncached", None)}
SERVERS = {"bare": ("bench.bare_wsgi", {}), "cached": ("bench.catalog_wsgi", {}),
           "uncached": ("bench.catalog_wsgi", {"SCORE_CATALOG_SEARCH_CACHE": "false"})}


def run_targets(url: str, paths: list[str], workdir: Path, args, writes: SteadyWrites,
                processes: list[subprocess.Popen]) -> dict[str, tuple[list[float], int, float]]:
    """Every target in turn, in ``args.rounds`` rounds, each slice after a short warm-up.

    Interleaving the targets spreads the load of anything else on the machine over
    all of them, so the ratios are not skewed by when a target happened to run.
    """
    env = dict(os.environ, SCORE_ENV="test", SCORE_CATALOG_DATABASE_URL=url,
               SCORE_AUTO_MIGRATE="false", SCORE_BUS="local", SCORE_LOG_LEVEL="WARNING",
               SCORE_DATA_DIR=str(workdir), SCORE_LOCAL_BUS_PATH=str(workdir / "bus.db"),
               PYTHONPATH=str(ROOT))
    ports = {}
    for server, (module, extra_env) in SERVERS.items():
        ports[server] = free_port()
        processes.append(gunicorn(module, ports[server], {**env, **extra_env}, workdir))
        wait_ready(processes[-1], ports[server],
                   "/bare" if module == "bench.bare_wsgi" else "/sessions")
    writes.targets = shown_sessions(ports["cached"], paths)
    results: dict[str, tuple[list[float], int, float]] = {name: ([], 0, 0.0) for name in TARGETS}
    for _round in range(args.rounds):
        for name, (server, target_paths) in TARGETS.items():
            if name == "mixed":
                writes.start()
            try:
                port, target_paths = ports[server], target_paths or paths
                drive(port, target_paths, args.clients, args.warmup / args.rounds,
                      args.max_requests)
                latencies, errors, elapsed = drive(port, target_paths, args.clients,
                                                   args.seconds / args.rounds,
                                                   args.max_requests)
            finally:
                writes.stop()
            total = results[name]
            results[name] = (total[0] + latencies, total[1] + errors, total[2] + elapsed)
    return results


def report(results: dict[str, tuple[list[float], int, float]], writes: SteadyWrites,
           args) -> None:
    """The table, the writes of the mixed load and the machine-readable last line."""
    print(f"\n{args.clients} clients, gunicorn -w 2 --threads 4, {args.database}, "
          f"{os.cpu_count()} CPUs (shared with the clients)\n")
    print(f"{'target':<10}{'requests':>10}{'errors':>8}{'req/s':>10}{'p50 ms':>9}"
          f"{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, (latencies, errors, elapsed) in results.items():
        print(f"{name:<10}{len(latencies):>10}{errors:>8}{len(latencies) / elapsed:>10.0f}"
              f"{percentile(latencies, 50):>9.1f}{percentile(latencies, 90):>9.1f}"
              f"{percentile(latencies, 99):>9.1f}{max(latencies):>9.1f}")
    spent = sum(writes.latencies_ms) / max(1, len(writes.latencies_ms))
    print(f"\nmixed load writes (warm-up included): {writes.done['seat']} seat events "
          f"(target {args.seat_events}/s), {writes.done['edit']} session edits "
          f"(target {args.edits}/s) on {len(writes.targets)} sessions shown by the query "
          f"mix; {spent:.1f} ms per write on average")
    rps = {name: len(lat) / elapsed for name, (lat, _errors, elapsed) in results.items()}
    if any(errors for _lat, errors, _elapsed in results.values()):
        print("WARNING: some requests failed (see the errors column)")
    print(f"search_vs_bare_ratio={rps['search'] / rps['bare']:.2f} "
          f"search_p99_ms={percentile(results['search'][0], 99):.1f} "
          f"mixed_vs_bare_ratio={rps['mixed'] / rps['bare']:.2f} "
          f"mixed_p99_ms={percentile(results['mixed'][0], 99):.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15.0, help="per target, all rounds")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of targets")
    parser.add_argument("--max-requests", type=int, default=100_000, help="per target")
    parser.add_argument("--warmup", type=float, default=3.0, help="per target, all rounds")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seat-events", type=float, default=20.0,
                        help="seat events per second in the mixed load")
    parser.add_argument("--edits", type=float, default=2.0,
                        help="session edits per second in the mixed load")
    args = parser.parse_args()

    rng = random.Random(42)
    workdir = Path(tempfile.mkdtemp(prefix="score-bench-catalog-"))
    pg = None
    if args.database == "postgres":
        from tests.infra import postgres

        pg = postgres.start()
        url = pg.create_database("bench_catalog")
    else:
        url = f"sqlite:///{workdir}/catalog.db"
    processes: list[subprocess.Popen] = []
    db = None
    try:
        db = catalog.runtime().database(url)
        db.migrate(catalog.MIGRATIONS)
        t0 = time.perf_counter()
        provinces, cities = seed(db, args.sessions, rng)
        paths = query_mix(db, provinces, cities, rng)
        print(f"seeded {args.sessions} sessions into {args.database} in "
              f"{time.perf_counter() - t0:.1f}s; {len(paths)} request paths, "
              f"{len(set(paths))} distinct")
        writes = SteadyWrites(db, [], seat_events_per_s=args.seat_events,
                              edits_per_s=args.edits, rng=rng)
        results = run_targets(url, paths, workdir, args, writes, processes)
    finally:
        for process in processes:
            stop(process)
        if db is not None:
            db.dispose()
        if pg is not None:
            pg.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    report(results, writes, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
