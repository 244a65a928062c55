"""Worker processes for the sponsorship concurrency tests: each has its own engine and threads.

Run with the ``spawn`` start method, so each process starts clean (no engine or
pooled connection inherited from pytest), as separate API and consumer processes
would. Workers call the use cases directly – the quote as the API calls it, the
saga step as a consumer's handler does (inside its own transaction).
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
import uuid
from collections import Counter
from typing import Any

from sqlalchemy import select, text

from services.sponsorship import service
from services.sponsorship.models import Reservation
from services.sponsorship.service import facts, reservations
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.errors import DomainError

EXHAUSTED = "REASON_FUND_EXHAUSTED"
ADMIN = Principal("admin-1", "platform_admin", "platform", "platform")


def seed(url: str, seats: int, smes: int) -> dict[str, Any]:
    """An approved sponsor whose one open fund holds ``seats`` seats, an offer paying 100 %
    of the price, a session and ``smes`` SMEs – all through the use cases."""
    db = Database(url)
    try:
        staff = Principal("sponsor-user-1", "sponsor_staff", None, None)
        sponsor = service.register_sponsor(db, staff, {
            "name": "Kemnaker", "kind": "ministry", "contact_name": "Ibu Rina",
            "contact_email": "rina@sponsor.example", "contact_phone": "+62 21 555 0100"})
        service.approve_sponsor(db, ADMIN, sponsor.id, None)
        staff = Principal("sponsor-user-1", "sponsor_staff", sponsor.id, "sponsor")
        today = clock.today()
        fund = service.create_fund(db, staff, sponsor.id, {
            "name": "Kursi SCORE 2027", "unit": "seats",
            "valid_from": today - dt.timedelta(days=30),
            "valid_until": today + dt.timedelta(days=330),
            "initial_deposit": {"amount": seats, "reference": "APBN-2027-001"}})
        offer = service.create_offer(db, staff, fund.id, {
            "title": "Full price for every participant", "stackable": False,
            "rules": {"share_percent": 100}})
        service.publish_offer(db, staff, offer.id)
        session_id, sme_ids = str(uuid.uuid4()), [str(uuid.uuid4()) for _ in range(smes)]
        with db.transaction() as session:
            facts.apply_session(session, {
                "session_id": session_id, "provider_id": "prov-1", "module_code": "M1",
                "title_en": "Workplace Cooperation", "province_code": "32",
                "start_date": today + dt.timedelta(days=30),
                "price_per_participant": 2_500_000, "ilo_supervised": True,
                "status": "published"})
            for n, sme_id in enumerate(sme_ids):
                facts.apply_sme(session, {"sme_id": sme_id, "legal_name": f"CV Tenun {n}",
                                          "province_code": "32", "kbli_code": "13111",
                                          "size_class": "small"})
        return {"fund_id": fund.id, "offer_id": offer.id, "session_id": session_id,
                "sme_ids": sme_ids}
    finally:
        db.dispose()


def _ready(db: Database, start) -> None:
    """Connected and imported: wait at the barrier until every worker process is too."""
    db.ping()
    start.wait(timeout=120)


def reserve_once(db: Database, session_id: str, sme_id: str, hold_id: str) -> str:
    """One checkout's quote with a reservation for a one-participant team: its outcome."""
    principal = Principal(f"user-{sme_id}", "sme_user", sme_id, "sme")
    try:
        result = service.quote(db, principal, {
            "sme_id": sme_id, "session_id": session_id,
            "team": {"participants": 1, "managers": 1, "workers": 0, "women": 1, "men": 0},
            "reserve": {"enrolment_id": hold_id, "hold_id": hold_id,
                        "expires_at": clock.now() + dt.timedelta(minutes=45)}})
    except DomainError as exc:
        return exc.type_slug
    if result.sponsor_share > 0:
        assert result.reservation is not None and result.created
        return "reserved"
    codes = {reason["code"] for declined in result.declined for reason in declined["reasons"]}
    return "exhausted" if codes == {EXHAUSTED} else f"declined:{sorted(codes)}"


def reserve_all(url: str, session_id: str, sme_ids: list[str], holds: list[str], threads: int,
                start, results) -> None:
    """Each hold of ``holds`` asks once, from ``threads`` threads at once."""
    db = Database(url, pool_size=threads, max_overflow=0)
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def worker(mine: list[str]) -> None:
        for n, hold_id in enumerate(mine):
            outcome = reserve_once(db, session_id, sme_ids[n % len(sme_ids)], hold_id)
            with lock:
                outcomes[outcome] += 1

    _ready(db, start)
    _run_threads(worker, [holds[n::threads] for n in range(threads)])
    db.dispose()
    results.put({"role": "reserver", **outcomes})


def reserve_until_stopped(url: str, session_id: str, sme_ids: list[str], threads: int,
                          stop, start, results) -> None:
    """Threads reserve with new holds until ``stop`` is set *and* the fund answered
    exhausted after it – so every seat released before the stop is taken again."""
    db = Database(url, pool_size=threads, max_overflow=0)
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def worker(n: int) -> None:
        sme_id = sme_ids[n % len(sme_ids)]
        while True:
            stopping = stop.is_set()
            outcome = reserve_once(db, session_id, sme_id, str(uuid.uuid4()))
            with lock:
                outcomes[outcome] += 1
            if outcome == "exhausted":
                if stopping:
                    return
                time.sleep(0.01)  # an exhausted fund: give the settlers the lock

    _ready(db, start)
    _run_threads(worker, list(range(threads)))
    db.dispose()
    results.put({"role": "reserver", **outcomes})


def settle(url: str, releases: int, seed_value: int, start, results) -> None:
    """Enrolment's events, as the consumer applies them: a reserved reservation is released
    (expired or cancelled enrolment) or committed (confirmed), until ``releases`` were
    released. Two settlers may pick the same reservation: the row lock decides."""
    db = Database(url, pool_size=1, max_overflow=0)
    rng = random.Random(seed_value)
    done: Counter = Counter()
    _ready(db, start)
    deadline = time.monotonic() + 45
    while done["released"] < releases:
        assert time.monotonic() < deadline, f"settler stuck at {dict(done)}"
        with db.reading() as session:
            held = list(session.scalars(select(Reservation.hold_id).where(
                Reservation.status == "reserved")))
        if not held:
            time.sleep(0.005)
            continue
        # Two releases for each commit, so seats keep coming back to the reservers.
        action = "release" if rng.random() < 2 / 3 else "commit"
        with db.transaction() as session:
            reservation = reservations.lock_by_hold(session, rng.choice(held))
            if reservation is None or reservation.status != "reserved":
                done["lost-race"] += 1
                continue
            reservations.step(session, reservation, action, actor="enrolment",
                              reason="the enrolment expired" if action == "release" else None)
        done["released" if action == "release" else "committed"] += 1
        time.sleep(rng.random() * 0.01)
    db.dispose()
    results.put({"role": "settler", **done})


def _run_threads(target, args: list) -> None:
    runners = [threading.Thread(target=target, args=(arg,)) for arg in args]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()


# One snapshot (one statement): the fund's figures from its ledger, and the units held by
# reservations in each state – two independent records of the same money.
SAMPLE = text(
    "SELECT "
    "  coalesce(sum(amount) FILTER (WHERE kind = 'deposit'), 0), "
    "  coalesce(sum(amount) FILTER (WHERE kind = 'adjustment'), 0), "
    "  coalesce(sum(amount) FILTER (WHERE kind = 'reservation'), 0), "
    "  coalesce(sum(amount) FILTER (WHERE kind = 'release'), 0), "
    "  coalesce(sum(amount) FILTER (WHERE kind = 'commit'), 0), "
    "  coalesce(sum(amount) FILTER (WHERE kind = 'reversal'), 0), "
    "  (SELECT coalesce(sum(l.units), 0) FROM reservation_lines l "
    "     JOIN reservations r ON r.id = l.reservation_id "
    "     WHERE l.fund_id = :f AND r.status = 'reserved'), "
    "  (SELECT coalesce(sum(l.units), 0) FROM reservation_lines l "
    "     JOIN reservations r ON r.id = l.reservation_id "
    "     WHERE l.fund_id = :f AND r.status = 'committed') "
    "FROM fund_transactions WHERE fund_id = :f")


def figures(connection, fund_id: str) -> dict[str, int]:
    """The fund's figures, computed here from the ledger rows (not by the service)."""
    (deposit, adjustment, reservation, release, commit, reversal, lines_reserved,
     lines_committed) = connection.execute(SAMPLE, {"f": fund_id}).one()
    reserved, committed = reservation - release - commit, commit - reversal
    return {"deposited": deposit + adjustment, "reserved": reserved, "committed": committed,
            "available": deposit + adjustment - reserved - committed,
            "lines_reserved": lines_reserved, "lines_committed": lines_committed}


class Sampler(threading.Thread):
    """Samples the fund's figures in their own transactions until stopped."""

    def __init__(self, url: str, fund_id: str) -> None:
        super().__init__(daemon=True)
        self.db = Database(url, pool_size=1, max_overflow=0)
        self.fund_id = fund_id
        self.stop = threading.Event()
        self.samples: list[dict[str, int]] = []

    def run(self) -> None:
        while not self.stop.is_set():
            with self.db.engine.connect() as connection:
                self.samples.append(figures(connection, self.fund_id))
            self.stop.wait(0.002)

    def finish(self) -> list[dict[str, int]]:
        """Stop sampling; the samples."""
        self.stop.set()
        self.join(timeout=10)
        self.db.dispose()
        return self.samples


# Each kind's effect on what new reservations may take, written out here rather than
# taken from the ledger module, so the test does not grade the code with its own table.
EFFECT = {"deposit": 1, "adjustment": 1, "reservation": -1, "commit": 0, "release": 1,
          "reversal": 1}


def lowest_running_available(url: str, fund_id: str) -> int:
    """The lowest available balance over the ledger in id order (ids are taken under the
    fund's lock by every row that spends, so this is the order spending happened in)."""
    db = Database(url)
    try:
        with db.engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT kind, amount FROM fund_transactions WHERE fund_id = :f ORDER BY id"),
                {"f": fund_id}).all()
    finally:
        db.dispose()
    running, lowest = 0, 0
    for kind, amount in rows:
        running += EFFECT[kind] * amount
        lowest = min(lowest, running)
    return lowest
