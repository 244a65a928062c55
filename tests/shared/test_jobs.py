"""Background jobs: one leader per database, rounds that survive failures, threads and the CLI."""

from __future__ import annotations

import threading

import pytest

from shared.cli import main
from shared.db import Database
from shared.jobs import Job, JobContext, PeriodicJob
from shared.runtime import ServiceRuntime


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/jobs.db")
    yield database
    database.dispose()


class Counter:
    """A tick that counts its calls, fails when told to, and stops the loop after ``until``."""

    def __init__(self, stop: threading.Event, until: int, fail_on: frozenset = frozenset(),
                 handled: int = 0) -> None:
        self.calls = 0
        self.stop, self.until, self.fail_on, self.handled = stop, until, fail_on, handled

    def __call__(self) -> int:
        self.calls += 1
        if self.calls >= self.until:
            self.stop.set()
        if self.calls in self.fail_on:
            raise RuntimeError("database went away")
        return self.handled


def test_a_failing_round_is_retried_on_the_next_round(db):
    stop = threading.Event()
    tick = Counter(stop, until=3, fail_on=frozenset({1}))
    PeriodicJob(db, "svc", "demo", tick, interval_s=0.01).run(stop)
    assert tick.calls == 3


def test_a_full_round_runs_again_at_once(db):
    stop = threading.Event()
    tick = Counter(stop, until=5, handled=10)
    PeriodicJob(db, "svc", "demo", tick, interval_s=60, batch=10).run(stop)
    assert tick.calls == 5  # never waited the 60 s interval


def test_only_one_process_leads_a_job(db):
    first = PeriodicJob(db, "svc", "demo", lambda: 0, interval_s=1)
    second = PeriodicJob(db, "svc", "demo", lambda: 0, interval_s=1)
    assert first.leadership.acquire()
    assert not second.leadership.acquire()
    first.leadership.release()
    assert second.leadership.acquire()
    second.leadership.release()


def test_a_wake_cuts_the_wait_short(db):
    stop, wake = threading.Event(), threading.Event()
    tick = Counter(stop, until=2)
    job = PeriodicJob(db, "svc", "demo", tick, interval_s=60, wake=wake)
    thread = threading.Thread(target=job.run, args=(stop,))
    thread.start()
    wake.set()
    thread.join(timeout=5)
    assert not thread.is_alive() and tick.calls == 2


def test_a_job_steps_down_when_it_fails_loses_the_lead_or_stops(db):
    stop, steps = threading.Event(), []
    tick = Counter(stop, until=2, fail_on=frozenset({1}))
    PeriodicJob(db, "svc", "demo", tick, interval_s=0.01,
                step_down=lambda: steps.append("down")).run(stop)
    assert (tick.calls, steps) == (2, ["down", "down"])  # after the failure, at the stop

    other = PeriodicJob(db, "svc", "demo", lambda: 0, interval_s=1)
    assert other.leadership.acquire()
    standby_stop = threading.Event()
    standby = PeriodicJob(db, "svc", "demo", lambda: 1 / 0, interval_s=0.01,
                          step_down=lambda: (steps.append("standby"), standby_stop.set()))
    standby.run(standby_stop)
    other.leadership.release()
    assert steps[2:] == ["standby", "standby"]  # a round without the lock, then the stop


def jobs_runtime() -> ServiceRuntime:
    """A runtime with one job that writes a marker file and stops its process's loop."""
    from pathlib import Path

    from sqlalchemy import MetaData

    def build(context: JobContext) -> PeriodicJob:
        marker = Path(context.settings.data_dir) / "ran"

        def tick() -> int:
            marker.write_text("yes")
            import os
            import signal
            os.kill(os.getpid(), signal.SIGTERM)
            return 0

        return PeriodicJob(context.db, context.settings.service, "marker", tick,
                           interval_s=0.05, heartbeat=context.heartbeat)

    return ServiceRuntime(name="jobsdemo", title="t", description="t", metadata=MetaData(),
                          migrations=Path("."), blueprints=list,
                          jobs=(Job("marker", build, "writes a marker"),))


@pytest.fixture
def own_signals():
    """``score job`` installs SIGTERM/SIGINT handlers: give pytest its own back afterwards."""
    import signal

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_score_job_runs_a_named_job_with_a_heartbeat(tmp_path, monkeypatch, own_signals):
    monkeypatch.setenv("SCORE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SCORE_ENV", "test")
    heartbeat = tmp_path / "hb"
    assert main(["job", f"{__name__}:jobs_runtime", "marker", "--heartbeat",
                 str(heartbeat)]) == 0
    assert (tmp_path / "ran").read_text() == "yes" and heartbeat.exists()


def test_score_job_names_the_jobs_it_has(tmp_path, monkeypatch):
    monkeypatch.setenv("SCORE_DATA_DIR", str(tmp_path))
    with pytest.raises(SystemExit, match="has: marker"):
        main(["job", f"{__name__}:jobs_runtime", "nope"])
