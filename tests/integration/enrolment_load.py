"""Worker processes for the enrolment concurrency tests: each has its own engine and threads.

Run with the ``spawn`` start method, so each process starts clean (no engine or
pooled connection inherited from pytest) – as separate API or job processes would.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from typing import Any

from sqlalchemy import func, select, text

from services.enrolment import lifecycle
from services.enrolment.config import DEFAULT_SIZE_BANDS, EnrolmentPolicy, parse_size_bands
from services.enrolment.models import Enrolment, OfferedSession, Sme
from services.enrolment.service import cancellation, enrolments, expiry, holds, sessions
from shared.auth import Principal
from shared.db import Database
from shared.errors import DomainError

POLICY = EnrolmentPolicy(size_bands=parse_size_bands(DEFAULT_SIZE_BANDS))


def team(size: int) -> list[dict]:
    """``size`` participants: one manager, the rest workers."""
    return [{"full_name": f"Peserta {i}", "gender": "female" if i % 2 else "male",
             "role": "manager" if i == 0 else "worker", "position": "Staf", "email": None,
             "phone": None} for i in range(size)]


def seed(url: str, session_payload: dict, smes: int) -> list[str]:
    """The session (through the read model) and ``smes`` SMEs; returns the SME ids."""
    db = Database(url)
    try:
        with db.transaction() as session:
            sessions.apply_session(session, session_payload, actor="catalog", policy=POLICY)
            ids = [str(uuid.uuid4()) for _ in range(smes)]
            session.add_all(Sme(id=sme_id, legal_name=f"PT Beban {n}", nib=f"{n + 1:013d}",
                                kbli_code="13111", kbli_version="2020", province_code="32",
                                city="Bandung", address="Jl. 1", employees_total=10,
                                employees_women=5, employees_men=5, size_class="small",
                                contact_name="Ibu A", contact_email=f"sme{n}@load.example",
                                contact_phone="0812", registered_by=f"user-{n}")
                            for n, sme_id in enumerate(ids))
        return ids
    finally:
        db.dispose()


def _ready(db: Database, start) -> None:
    """Connected and imported: wait at the barrier until every worker process is too."""
    db.ping()
    start.wait(timeout=120)


def enrol_all(url: str, session_id: str, sme_ids: list[str], size: int, threads: int,
              join_waitlist: bool, start, results) -> None:
    """Each SME of ``sme_ids`` asks once for ``size`` seats, from ``threads`` threads at once."""
    db = Database(url, pool_size=threads, max_overflow=0)
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def worker(mine: list[str]) -> None:
        for sme_id in mine:
            principal = Principal(f"user-{sme_id}", "sme_user", sme_id, "sme")
            try:
                done = enrolments.enrol_team(db, principal, POLICY, session_id, {
                    "participants": team(size), "join_waitlist_if_full": join_waitlist})
                outcome = "held" if done.enrolment is not None else "waitlisted"
            except DomainError as exc:
                outcome = exc.type_slug
            with lock:
                outcomes[outcome] += 1

    _ready(db, start)
    runners = [threading.Thread(target=worker, args=(sme_ids[n::threads],))
               for n in range(threads)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    db.dispose()
    results.put(dict(outcomes))


def churn(url: str, session_id: str, sme_ids: list[str], seconds: float, seed_value: int,
          start, results) -> None:
    """SMEs enrol (queueing when full), cancel and re-enrol for ``seconds``."""
    db = Database(url, pool_size=2, max_overflow=0)
    rng = random.Random(seed_value)
    outcomes: Counter = Counter()
    _ready(db, start)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if rng.random() < 0.6:
                sme_id = rng.choice(sme_ids)
                principal = Principal(f"user-{sme_id}", "sme_user", sme_id, "sme")
                enrolments.enrol_team(db, principal, POLICY, session_id, {
                    "participants": team(rng.randint(2, 5)), "join_waitlist_if_full": True})
                outcomes["enrolled"] += 1
            else:
                _cancel_one(db, session_id, rng)
                outcomes["cancelled"] += 1
        except DomainError as exc:
            outcomes[exc.type_slug] += 1
    db.dispose()
    results.put(dict(outcomes))


def _cancel_one(db: Database, session_id: str, rng: random.Random) -> None:
    """Some SME with a held or confirmed enrolment calls it off."""
    with db.reading() as session:
        open_ones = session.execute(select(Enrolment.id, Enrolment.sme_id).where(
            Enrolment.session_id == session_id,
            Enrolment.status.in_(("held", "confirmed")))).all()
    if not open_ones:
        raise _Nothing("nothing to cancel")
    enrolment_id, sme_id = rng.choice(open_ones)
    principal = Principal(f"user-{sme_id}", "sme_user", sme_id, "sme")
    cancellation.cancel_enrolment(db, principal, POLICY, enrolment_id, "plans changed")


class _Nothing(DomainError):
    type_slug = "nothing-to-do"


def age_and_reap(url: str, session_id: str, seconds: float, seed_value: int, start,
                 results) -> None:
    """Time passes for some holds (their expiry moves to the past); the reaper expires them."""
    db = Database(url, pool_size=2, max_overflow=0)
    rng = random.Random(seed_value)
    expired = 0
    _ready(db, start)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if rng.random() < 0.5:
            with db.transaction() as session:
                session.execute(text(
                    "UPDATE enrolments SET expires_at = now() - interval '1 minute' "
                    "WHERE session_id = :s AND status = 'held' AND random() < 0.3"),
                    {"s": session_id})
        expired += expiry.reap(db, POLICY)
        time.sleep(rng.random() * 0.02)
    db.dispose()
    results.put({"expired": expired})


def pay(url: str, session_id: str, seconds: float, seed_value: int, start,
        results) -> None:
    """Payments confirm held enrolments – racing the reaper for the same rows."""
    db = Database(url, pool_size=2, max_overflow=0)
    rng = random.Random(seed_value)
    paid = 0
    _ready(db, start)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with db.transaction() as session:
            candidates = list(session.scalars(select(Enrolment.id).where(
                Enrolment.session_id == session_id, Enrolment.status == "held")))
            if candidates:
                enrolment = session.scalars(select(Enrolment).where(
                    Enrolment.id == rng.choice(candidates)).with_for_update()).one()
                if enrolment.status == "held" and not expiry.is_overdue(enrolment, POLICY):
                    holds.confirm(session, enrolment, "confirm", actor="payer")
                    paid += 1
        time.sleep(rng.random() * 0.05)
    db.dispose()
    results.put({"paid": paid})


SAMPLE = text(
    "SELECT s.capacity, s.seats_held, s.seats_confirmed, "
    "  (SELECT coalesce(sum(participants_count), 0) FROM enrolments e "
    "    WHERE e.session_id = s.id AND e.status IN ('held', 'awaiting_payment')), "
    "  (SELECT coalesce(sum(participants_count), 0) FROM enrolments e "
    "    WHERE e.session_id = s.id AND e.status IN ('confirmed', 'completed')) "
    "FROM offered_sessions s WHERE s.id = :s")


class Sampler(threading.Thread):
    """Samples the seat invariants in one statement (one snapshot) until stopped."""

    def __init__(self, url: str, session_id: str) -> None:
        super().__init__(daemon=True)
        self.db = Database(url, pool_size=1, max_overflow=0)
        self.session_id = session_id
        self.stop = threading.Event()
        self.samples: list[tuple[int, int, int, int, int]] = []

    def run(self) -> None:
        while not self.stop.is_set():
            with self.db.engine.connect() as connection:
                row = connection.execute(SAMPLE, {"s": self.session_id}).one()
            self.samples.append(tuple(row))
            self.stop.wait(0.002)

    def finish(self) -> list[tuple[int, int, int, int, int]]:
        """Stop sampling; the samples (capacity, held, confirmed, Σ held, Σ confirmed)."""
        self.stop.set()
        self.join(timeout=10)
        self.db.dispose()
        return self.samples


def state(url: str, session_id: str) -> dict[str, Any]:
    """The final counters, sums and statuses, open enrolments per SME, the waitlist."""
    db = Database(url)
    try:
        with db.engine.connect() as connection:
            capacity, held, confirmed, sum_held, sum_confirmed = connection.execute(
                SAMPLE, {"s": session_id}).one()
        with db.reading() as session:
            by_status = dict(session.execute(
                select(Enrolment.status, func.count()).where(Enrolment.session_id == session_id)
                .group_by(Enrolment.status)).all())
            most_open = session.scalar(select(func.count()).where(
                Enrolment.session_id == session_id,
                Enrolment.status.in_(lifecycle.OPEN_ENROLMENT_STATES))
                .group_by(Enrolment.sme_id).order_by(func.count().desc()).limit(1)) or 0
            offered = session.get(OfferedSession, session_id)
            assert offered is not None
            waitlist = dict(session.execute(text(
                "SELECT status, count(*) FROM waitlist_entries WHERE session_id = :s "
                "GROUP BY status"), {"s": session_id}).all())
            waiting_sizes = [row[0] for row in session.execute(text(
                "SELECT participants_count FROM waitlist_entries "
                "WHERE session_id = :s AND status = 'waiting'"), {"s": session_id})]
        return {"capacity": capacity, "held": held, "confirmed": confirmed,
                "sum_held": sum_held, "sum_confirmed": sum_confirmed, "by_status": by_status,
                "most_open_per_sme": most_open, "seats_free": offered.seats_free,
                "waiting_sizes": waiting_sizes, "waitlist": waitlist}
    finally:
        db.dispose()

