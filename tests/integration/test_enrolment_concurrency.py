"""Seats on real PostgreSQL under concurrent load from several processes: never oversold.

Each worker is its own process with its own engine (``spawn``), running the real
use cases with several threads, while the test samples the invariants in single
statements: ``seats_held + seats_confirmed <= capacity`` at every moment, and the
counters equal to the participants of the enrolments holding them.
"""

from __future__ import annotations

import multiprocessing
import queue
import time

import pytest

from services import enrolment
from shared.db import Database
from tests.enrolment.builders import session_payload
from tests.integration import enrolment_load as load

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_url(pg_database):
    """A fresh PostgreSQL database with enrolment's schema."""
    db = Database(pg_database)
    db.migrate(enrolment.runtime().migrations)
    db.dispose()
    return pg_database


def run_processes(targets: list[tuple], sampler: load.Sampler) -> list[dict]:
    """One process per ``(function, args)``, all released at once when every one is ready
    (sampling from then on); their reported results."""
    context = multiprocessing.get_context("spawn")
    results, start = context.Queue(), context.Barrier(len(targets) + 1)
    processes = [context.Process(target=fn, args=(*args, start, results))
                 for fn, args in targets]
    for process in processes:
        process.start()
    start.wait(timeout=120)
    sampler.start()
    out: list[dict] = []
    deadline = time.monotonic() + 300
    while len(out) < len(processes):
        try:
            out.append(results.get(timeout=0.5))
        except queue.Empty:
            # A worker that died reports nothing: say so now, not after the timeout.
            died = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
            assert not died, f"a worker process failed (exit {died}); its traceback is above"
            assert time.monotonic() < deadline, "the workers did not finish in 300 s"
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0, f"a worker process failed ({process.exitcode})"
    return out


def assert_never_oversold(samples: list[tuple]) -> None:
    assert samples, "the sampler took no sample"
    for capacity, held, confirmed, sum_held, sum_confirmed in samples:
        assert held + confirmed <= capacity, (held, confirmed, capacity)
        assert (held, confirmed) == (sum_held, sum_confirmed), "counters drifted from the rows"


def test_200_concurrent_holds_from_four_processes_take_exactly_20_seats(pg_url):
    ts = session_payload(capacity=20)
    smes = load.seed(pg_url, ts, smes=200)
    sampler = load.Sampler(pg_url, ts["session_id"])
    results = run_processes([
        (load.enrol_all, (pg_url, ts["session_id"], smes[n::4], 2, 10, False))
        for n in range(4)], sampler)
    samples = sampler.finish()
    outcomes: dict[str, int] = {}
    for result in results:
        for outcome, count in result.items():
            outcomes[outcome] = outcomes.get(outcome, 0) + count
    assert outcomes == {"held": 10, "session-full": 190}
    final = load.state(pg_url, ts["session_id"])
    assert (final["held"], final["sum_held"], final["confirmed"]) == (20, 20, 0)
    assert final["by_status"] == {"held": 10}
    assert_never_oversold(samples)
    assert len(samples) > 10


def test_expiry_payments_cancellations_and_the_waitlist_under_load_never_oversell(pg_url):
    ts = session_payload(capacity=20)
    smes = load.seed(pg_url, ts, smes=60)
    sampler, seconds = load.Sampler(pg_url, ts["session_id"]), 5.0
    results = run_processes([
        *[(load.churn, (pg_url, ts["session_id"], smes, seconds, n)) for n in range(2)],
        *[(load.age_and_reap, (pg_url, ts["session_id"], seconds, 10 + n)) for n in range(2)],
        (load.pay, (pg_url, ts["session_id"], seconds, 20)),
    ], sampler)
    samples = sampler.finish()
    merged: dict[str, int] = {}
    for result in results:
        for name, count in result.items():
            merged[name] = merged.get(name, 0) + count
    # The load did what it is meant to: holds, queueing, expiries, payments, cancellations.
    assert merged["enrolled"] > 20 and merged["expired"] > 0 and merged["paid"] > 0
    assert merged["cancelled"] > 0
    assert_never_oversold(samples)
    final = load.state(pg_url, ts["session_id"])
    assert (final["held"], final["confirmed"]) == (final["sum_held"], final["sum_confirmed"])
    assert final["held"] + final["confirmed"] <= final["capacity"]
    assert final["most_open_per_sme"] == 1
    # Every release offered its seats on: no waiting team fits in the seats left free.
    assert all(size > final["seats_free"] for size in final["waiting_sizes"])
    assert final["waitlist"].get("offered", 0) > 0, "no waiting team was ever promoted"
