"""A sponsor's fund on real PostgreSQL under concurrent checkouts from several processes:
never overspent (issue 9).

Each worker is its own process with its own engine (``spawn``), running the quote
use case from several threads – as gunicorn workers would – while the saga steps
run as the consumer runs them. A sampler reads the fund's figures in single
statements throughout: available never below zero, and the ledger agreeing with
the reservations' own record at every moment.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import multiprocessing
import queue
import threading
import time
import uuid

import pytest

from services import sponsorship
from services.sponsorship import ledger, service
from shared import clock
from shared.auth import Principal
from shared.db import Database
from tests.integration import sponsorship_load as load

pytestmark = pytest.mark.integration

SEATS = 50


@pytest.fixture
def pg_url(pg_database):
    """A fresh PostgreSQL database with sponsorship's schema."""
    db = Database(pg_database)
    db.migrate(sponsorship.runtime().migrations)
    db.dispose()
    return pg_database


class Workers:
    """Worker processes released together at a barrier; their reports by role."""

    def __init__(self) -> None:
        self.context = multiprocessing.get_context("spawn")
        self.results = self.context.Queue()
        self.processes: list = []
        self.reports: list[dict] = []

    def start(self, targets: list[tuple], sampler: load.Sampler) -> None:
        start = self.context.Barrier(len(targets) + 1)
        self.processes = [self.context.Process(target=fn, args=(*args, start, self.results))
                          for fn, args in targets]
        for process in self.processes:
            process.start()
        start.wait(timeout=120)
        sampler.start()

    def wait_for(self, role: str, count: int, timeout_s: float = 90) -> list[dict]:
        """The reports of ``count`` workers of ``role`` (others received meanwhile are kept)."""
        deadline = time.monotonic() + timeout_s
        while sum(r["role"] == role for r in self.reports) < count:
            try:
                self.reports.append(self.results.get(timeout=0.5))
            except queue.Empty:
                # A worker that died reports nothing: say so now, not after the timeout.
                died = [p.exitcode for p in self.processes if p.exitcode not in (None, 0)]
                assert not died, f"a worker process failed (exit {died}); its traceback is above"
                assert time.monotonic() < deadline, f"the {role}s did not finish in time"
        return [r for r in self.reports if r["role"] == role]

    def join(self) -> None:
        for process in self.processes:
            process.join(timeout=60)
            assert process.exitcode == 0, f"a worker process failed ({process.exitcode})"


def merged(reports: list[dict]) -> dict[str, int]:
    out: dict[str, int] = {}
    for report in reports:
        for name, count in report.items():
            if name != "role":
                out[name] = out.get(name, 0) + count
    return out


def assert_never_overspent(samples: list[dict[str, int]]) -> None:
    assert len(samples) > 10, f"the sampler took only {len(samples)} samples"
    for sample in samples:
        assert sample["available"] >= 0, sample
        assert sample["reserved"] + sample["committed"] <= sample["deposited"], sample
        # The ledger and the reservations agree at every moment, not only at the end.
        assert (sample["reserved"], sample["committed"]) == (
            sample["lines_reserved"], sample["lines_committed"]), sample


def final_figures(url: str, fund_id: str) -> tuple[dict[str, int], ledger.Balance]:
    """The fund's figures summed here from its rows, and the balance the service computes."""
    db = Database(url)
    try:
        with db.engine.connect() as connection:
            ours = load.figures(connection, fund_id)
        with db.reading() as session:
            theirs = ledger.balance(session, fund_id)
        return ours, theirs
    finally:
        db.dispose()


def test_500_concurrent_reservations_from_four_processes_take_exactly_50_seats(pg_url):
    world = load.seed(pg_url, seats=SEATS, smes=50)
    holds = [str(uuid.uuid4()) for _ in range(500)]
    sampler, workers = load.Sampler(pg_url, world["fund_id"]), Workers()
    workers.start([(load.reserve_all, (pg_url, world["session_id"], world["sme_ids"],
                                       holds[n::4], 5)) for n in range(4)], sampler)
    outcomes = merged(workers.wait_for("reserver", 4))
    workers.join()
    samples = sampler.finish()

    assert outcomes == {"reserved": SEATS, "exhausted": 500 - SEATS}
    ours, theirs = final_figures(pg_url, world["fund_id"])
    assert ours == {"deposited": SEATS, "reserved": SEATS, "committed": 0, "available": 0,
                    "lines_reserved": SEATS, "lines_committed": 0}
    assert (theirs.deposited, theirs.reserved, theirs.committed, theirs.available) == (
        SEATS, SEATS, 0, 0)
    assert_never_overspent(samples)
    assert load.lowest_running_available(pg_url, world["fund_id"]) == 0


def test_releases_and_commits_interleaved_with_reservations_never_overspend(pg_url):
    world = load.seed(pg_url, seats=SEATS, smes=50)
    releases_each = 15
    sampler, workers, stop = (load.Sampler(pg_url, world["fund_id"]), Workers(),
                              multiprocessing.get_context("spawn").Event())
    workers.start([
        *[(load.reserve_until_stopped, (pg_url, world["session_id"], world["sme_ids"], 4, stop))
          for _ in range(3)],
        *[(load.settle, (pg_url, releases_each, seed)) for seed in (1, 2)],
    ], sampler)
    settled = merged(workers.wait_for("settler", 2))
    # Every release is in: the reservers now take what is left, then stop.
    stop.set()
    outcomes = merged(workers.wait_for("reserver", 3))
    workers.join()
    samples = sampler.finish()

    assert settled["released"] == 2 * releases_each and settled["committed"] > 0
    assert set(outcomes) == {"reserved", "exhausted"}, outcomes
    # Each released seat was reserved again: 50 seats were taken 50 + releases times.
    assert outcomes["reserved"] == SEATS + settled["released"]
    ours, theirs = final_figures(pg_url, world["fund_id"])
    assert ours == {"deposited": SEATS, "reserved": SEATS - settled["committed"],
                    "committed": settled["committed"], "available": 0,
                    "lines_reserved": SEATS - settled["committed"],
                    "lines_committed": settled["committed"]}
    assert (theirs.reserved, theirs.committed, theirs.available) == (
        ours["reserved"], ours["committed"], 0)
    assert_never_overspent(samples)
    assert load.lowest_running_available(pg_url, world["fund_id"]) == 0


def test_one_hold_asked_for_at_once_from_many_threads_is_reserved_once(pg_url):
    world = load.seed(pg_url, seats=SEATS, smes=1)
    db = Database(pg_url, pool_size=8, max_overflow=0)
    sme_id, hold_id = world["sme_ids"][0], "hold-asked-eight-times"
    principal = Principal(f"user-{sme_id}", "sme_user", sme_id, "sme")
    body = {"sme_id": sme_id, "session_id": world["session_id"],
            "team": {"participants": 2, "managers": 1, "workers": 1, "women": 1, "men": 1},
            "reserve": {"enrolment_id": hold_id, "hold_id": hold_id,
                        "expires_at": clock.now() + dt.timedelta(minutes=45)}}
    start = threading.Barrier(8)

    def ask(_n: int):
        start.wait(timeout=30)
        return service.quote(db, principal, body)

    try:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(ask, range(8)))
        _ours, balance = final_figures(pg_url, world["fund_id"])
    finally:
        db.dispose()

    assert len({answer.reservation.id for answer in answers}) == 1
    assert sum(answer.created for answer in answers) == 1
    assert balance.reserved == 2 and balance.available == SEATS - 2
