"""Sponsorship benchmark: quote previews vs bare Flask, reservations on one hot fund, a rush.

Starts PostgreSQL (``tests.infra``), seeds a small market through the use cases
(:func:`seed_market`: five sponsors' funds and offers, three sessions, SMEs), then,
under the production gunicorn settings (``-w 2 --threads 4``,
``shared.gunicorn_config``, loopback, free ports):

1. ``bare-quote`` vs ``preview``, 32 keep-alive clients (``--clients``), in
   interleaved rounds (``--rounds``, so other load on the machine spreads over
   both): ``POST /quotes`` without ``reserve`` for a team of 4 – two offers apply,
   four are declined with their reasons – against ``bench/sponsorship_bare_wsgi.py``,
   which reads the same body and answers the same JSON (the service's own answer,
   captured first) serialised per request;
2. ``reserve``: 64 clients (``--reserve-clients``) each reserving for new seat holds
   (a team of 4) on the one session only the hot fund pays for – every request
   waits for that fund's row lock; every answer must be a 201;
3. ``rush``: 64 clients fire 5 reservations each (teams of 2) at once at a fund of
   100 seats (``--rush-seats``): it runs dry mid-rush.

``overspent`` counts the funds whose available balance went below zero at any
point of their ledger (rows in id order: spending rows take their ids under the
fund's lock) or whose reserved + committed exceeds what was deposited.

Ends with ``quote_vs_bare_ratio=<x> reserve_p99_ms=<y> overspent=<n>``
(targets: ratio ≥ 0.3 at 32 clients, reservation p99 ≤ 150 ms at 64 clients on one
fund, overspent 0).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import http.client
import itertools
import json
import os
import shutil
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bench import enrolment_seed  # noqa: E402
from bench.enrolment import Request, post_all, row  # noqa: E402
from bench.http_load import gunicorn, stop, wait_ready  # noqa: E402
from bench.stats import percentile  # noqa: E402
from services import sponsorship  # noqa: E402
from services.sponsorship import ledger, service  # noqa: E402
from services.sponsorship.service import facts  # noqa: E402
from shared import clock  # noqa: E402
from shared.auth import Principal  # noqa: E402
from shared.db import Database  # noqa: E402
from shared.tokens import SigningKey, jwks  # noqa: E402
from tests.infra import postgres as postgres_infra  # noqa: E402
from tests.infra.ports import LOOPBACK, free_port  # noqa: E402

PRICE = 2_500_000
ADMIN = Principal("bench-admin", "platform_admin", "platform", "platform")
RUSH_REQUESTS = 5
Results = tuple[list[float], dict[int, int], float]  # latencies ms, answers by status, s


@dataclasses.dataclass(frozen=True)
class Market:
    """What the bench quotes against: sessions by purpose, funds by name, the SMEs."""

    sessions: dict[str, str]  # "preview" (M1), "hot" (M2), "rush" (M3)
    funds: dict[str, str]
    sme_ids: list[str]


def seed_market(db: Database, smes: int, rush_seats: int) -> Market:
    """Sponsors, funds and published offers through the use cases; sessions and SMEs as
    their events would put them. For a small West-Java SME's team of 4 with 2 women in the
    M1 session, the ministry's two stackable offers apply and four offers are declined;
    only the hot fund pays for M2 and only the rush fund for M3."""
    today = clock.today()
    funds: dict[str, str] = {}

    def sponsor(name: str, kind: str) -> Principal:
        user = f"bench-{kind}"
        registered = service.register_sponsor(db, Principal(user, "sponsor_staff", None, None), {
            "name": name, "kind": kind, "contact_name": "Ibu Rina",
            "contact_email": f"{kind}@sponsor.example", "contact_phone": "+62 21 555 0100"})
        service.approve_sponsor(db, ADMIN, registered.id, None)
        return Principal(user, "sponsor_staff", registered.id, "sponsor")

    def fund(staff: Principal, name: str, unit: str, amount: int) -> str:
        made = service.create_fund(db, staff, staff.org, {
            "name": name, "unit": unit, "valid_from": today - dt.timedelta(days=30),
            "valid_until": today + dt.timedelta(days=330),
            "initial_deposit": {"amount": amount, "reference": f"bench-{name}"}})
        funds[name] = made.id
        return made.id

    def offer(staff: Principal, fund_id: str, rules: dict, stackable: bool = False) -> None:
        made = service.create_offer(db, staff, fund_id, {
            "title": f"Offer {len(funds)}-{len(rules)}", "stackable": stackable,
            "rules": rules})
        service.publish_offer(db, staff, made.id)

    ministry = sponsor("Kemnaker", "ministry")
    budget = fund(ministry, "APBN 2027", "IDR", 10**11)
    offer(ministry, budget, {"modules": ["M1"], "share_percent": 50}, stackable=True)
    offer(ministry, budget, {"modules": ["M1"], "min_women_percent": 50, "share_percent": 20},
          stackable=True)
    donor = sponsor("Donor Fund", "donor")
    offer(donor, fund(donor, "Micro seats", "seats", 10**6), {"size_classes": ["micro"]})
    buyer = sponsor("Lead Buyer", "lead_buyer")
    offer(buyer, fund(buyer, "Jakarta suppliers", "IDR", 10**10),
          {"sme_provinces": ["31"], "cap_per_participant": 1_000_000}, stackable=True)
    association = sponsor("Asosiasi", "association")
    offer(association, fund(association, "hot", "seats", 10**7), {"modules": ["M2"]})
    offer(association, fund(association, "rush", "seats", rush_seats), {"modules": ["M3"]})

    sessions = {purpose: str(uuid.uuid4()) for purpose in ("preview", "hot", "rush")}
    sme_ids = [str(uuid.uuid4()) for _ in range(smes)]
    with db.transaction() as session:
        for (purpose, session_id), module in zip(sessions.items(), ("M1", "M2", "M3"),
                                                 strict=True):
            facts.apply_session(session, {
                "session_id": session_id, "provider_id": "bench-provider",
                "module_code": module, "title_en": f"SCORE {module} ({purpose})",
                "province_code": "32", "start_date": today + dt.timedelta(days=40),
                "price_per_participant": PRICE, "ilo_supervised": True,
                "status": "published"})
        for n, sme_id in enumerate(sme_ids):
            facts.apply_sme(session, {"sme_id": sme_id, "legal_name": f"CV Bench {n}",
                                      "province_code": "32", "kbli_code": "13111",
                                      "size_class": "small"})
    return Market(sessions=sessions, funds=funds, sme_ids=sme_ids)


def quote_body(sme_id: str, session_id: str, participants: int, reserve: bool) -> bytes:
    """A quote request for a team of ``participants`` (half women), a new hold if reserving."""
    women = participants // 2
    body: dict = {"sme_id": sme_id, "session_id": session_id, "team": {
        "participants": participants, "managers": 1, "workers": participants - 1,
        "women": women, "men": participants - women}}
    if reserve:
        hold = str(uuid.uuid4())
        body["reserve"] = {"enrolment_id": hold, "hold_id": hold, "expires_at": (
            clock.now() + dt.timedelta(minutes=45)).isoformat()}
    return json.dumps(body).encode()


def reservations(session_id: str, sme_ids: list[str], auth: dict[str, str],
                 participants: int) -> Iterator[Request]:
    """Endless reservation requests, each for a new seat hold."""
    for sme_id in itertools.cycle(sme_ids):
        yield "/quotes", auth[sme_id], quote_body(sme_id, session_id, participants, True)


# The lowest running available balance of each fund over its ledger in id order.
LOWEST = text(
    "SELECT fund_id, min(running) FROM (SELECT fund_id, sum(CASE kind "
    "  WHEN 'reservation' THEN -amount WHEN 'commit' THEN 0 ELSE amount END) "
    "  OVER (PARTITION BY fund_id ORDER BY id) AS running FROM fund_transactions) AS t "
    "GROUP BY fund_id")


def overspent(db: Database) -> int:
    """Funds that went below zero at any point of their ledger, or that hold (reserved +
    committed) more than was deposited."""
    with db.reading() as session:
        lowest = dict(session.execute(LOWEST).all())
        found = ledger.balances(session, lowest)
    return sum(1 for fund_id, low in lowest.items()
               if low < 0 or found[fund_id].reserved + found[fund_id].committed
               > found[fund_id].deposited + found[fund_id].adjusted)


def _merged(total: Results, part: Results) -> Results:
    statuses = dict(total[1])
    for status, count in part[1].items():
        statuses[status] = statuses.get(status, 0) + count
    return total[0] + part[0], statuses, total[2] + part[2]


def measure(ports: dict[str, int], market: Market, auth: dict[str, str],
            args) -> dict[str, Results]:
    """Previews against the bare baseline in interleaved rounds, then reservations, then
    the rush."""
    smes = market.sme_ids
    preview = [("/quotes", auth[sme], quote_body(sme, market.sessions["preview"], 4, False))
               for sme in smes]
    bare = [("/bare-quote", *request[1:]) for request in preview]
    results: dict[str, Results] = {"bare-quote": ([], {}, 0.0), "preview": ([], {}, 0.0)}
    slice_s, warm_s = args.seconds / args.rounds, args.warmup / args.rounds
    for _round in range(args.rounds):
        for name, port, requests in (("bare-quote", ports["bare"], bare),
                                     ("preview", ports["service"], preview)):
            plans = [itertools.cycle(requests[n::args.clients]) for n in range(args.clients)]
            post_all(port, plans, warm_s)
            results[name] = _merged(results[name], post_all(port, plans, slice_s))
    plans = [reservations(market.sessions["hot"], smes[n::args.reserve_clients], auth, 4)
             for n in range(args.reserve_clients)]
    post_all(ports["service"], plans, args.warmup)
    results["reserve"] = post_all(ports["service"], plans, args.seconds)
    rush = [[("/quotes", auth[sme], quote_body(sme, market.sessions["rush"], 2, True))
             for sme in itertools.islice(itertools.cycle(smes[n::args.reserve_clients]),
                                         RUSH_REQUESTS)]
            for n in range(args.reserve_clients)]
    results["rush"] = post_all(ports["service"], rush, 120,
                               threading.Barrier(args.reserve_clients))
    return results


def report(results: dict[str, Results], sold: int, fund_rows: int, args) -> None:
    """The table and the machine-readable last line."""
    print(f"\ngunicorn -w 2 --threads 4, PostgreSQL, {os.cpu_count()} CPUs shared with the "
          f"clients; {args.clients} clients (reserve and rush: {args.reserve_clients})\n")
    print(f"{'target':<11}{'requests':>9}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}"
          f"{'p99 ms':>9}{'max ms':>9}")
    for name, (latencies, statuses, elapsed) in results.items():
        # The rush's 200s are quotes the drained fund no longer paid: answers, not errors.
        ok = (200, 201) if name == "rush" else (201,) if name == "reserve" else (200,)
        good = sum(count for status, count in statuses.items() if status in ok)
        print(row(name, latencies, {200: good, 0: sum(statuses.values()) - good}, elapsed))
    print(f"\nrush answers {dict(sorted(results['rush'][1].items()))} (201: a reservation "
          f"made); the hot fund's ledger holds {fund_rows} rows at the end")
    for name in ("preview", "reserve"):
        expected = 201 if name == "reserve" else 200
        if set(results[name][1]) != {expected}:
            print(f"WARNING: {name} answered {results[name][1]}")
    rps = {name: len(lat) / elapsed for name, (lat, _s, elapsed) in results.items()}
    print(f"quote_vs_bare_ratio={rps['preview'] / rps['bare-quote']:.2f} "
          f"reserve_p99_ms={percentile(results['reserve'][0], 99):.1f} overspent={sold}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--reserve-clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=12.0, help="per target, all rounds")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved preview rounds")
    parser.add_argument("--warmup", type=float, default=3.0, help="per target, all rounds")
    parser.add_argument("--smes", type=int, default=640)
    parser.add_argument("--rush-seats", type=int, default=100)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="score-bench-sponsorship-"))
    pg, processes = postgres_infra.start(), []
    try:
        url = pg.create_database("bench_sponsorship")
        db = sponsorship.runtime().database(url)
        db.migrate(sponsorship.MIGRATIONS)
        market = seed_market(db, args.smes, args.rush_seats)
        key = SigningKey.generate()
        auth = enrolment_seed.tokens(key, market.sme_ids)
        print(f"seeded {len(market.funds)} funds and {len(market.sme_ids)} SMEs into PostgreSQL")

        env = dict(os.environ, SCORE_ENV="test", SCORE_AUTO_MIGRATE="false",
                   SCORE_LOG_LEVEL="WARNING", SCORE_DATA_DIR=str(workdir),
                   SCORE_SPONSORSHIP_DATABASE_URL=url,
                   SCORE_TOKEN_ISSUER=enrolment_seed.ISSUER,
                   SCORE_TOKEN_AUDIENCE=enrolment_seed.AUDIENCE,
                   BENCH_JWKS=json.dumps(jwks(key)), PYTHONPATH=str(ROOT))
        ports = {"service": free_port(), "bare": free_port()}
        processes.append(gunicorn("bench.sponsorship_wsgi", ports["service"], env, workdir))
        wait_ready(processes[-1], ports["service"], "/healthz")
        sample = _answer(ports["service"], market, auth)
        processes.append(gunicorn("bench.sponsorship_bare_wsgi", ports["bare"],
                                  {**env, "BENCH_QUOTE_JSON": sample}, workdir))
        wait_ready(processes[-1], ports["bare"], "/bare")
        results = measure(ports, market, auth, args)
        sold = overspent(db)
        with db.reading() as session:
            fund_rows = session.scalar(text(
                "SELECT count(*) FROM fund_transactions WHERE fund_id = :f"),
                {"f": market.funds["hot"]})
        db.dispose()
    finally:
        for process in reversed(processes):
            stop(process)
        pg.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    report(results, sold, fund_rows, args)
    return 0


def _answer(port: int, market: Market, auth: dict[str, str]) -> str:
    """The service's preview for the bench's team: what the bare baseline will answer."""
    sme = market.sme_ids[0]
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    try:
        conn.request("POST", "/quotes", body=quote_body(sme, market.sessions["preview"], 4, False),
                     headers={"Authorization": auth[sme], "Content-Type": "application/json"})
        response = conn.getresponse()
        body = response.read().decode()
    finally:
        conn.close()
    answer = json.loads(body)
    assert response.status == 200 and len(answer["applied"]) == 2, body
    return body


if __name__ == "__main__":
    sys.exit(main())
