"""A service's own background jobs (expiring holds, sending mail…), beside relay and consumer.

A service lists its jobs in ``ServiceRuntime.jobs``. Each :class:`Job` builds a
:class:`PeriodicJob` from a :class:`JobContext`; production runs every job as
its own process (``score job <service> <name>``, with a heartbeat file for the
liveness probe), the embedded mode as threads of the service process
(:mod:`shared.workers`). Like the relay, a job has one leader per service
database (PostgreSQL advisory lock, or a file lock on SQLite), so running more
replicas gives hot standbys, never double work.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from shared.events.leader import Leadership
from shared.heartbeat import Heartbeat

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.db import Database
    from shared.events.bus import Bus

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class JobContext:
    """What a job may use: the service's settings, database and bus, and a heartbeat."""

    settings: Settings
    db: Database
    bus: Bus
    heartbeat: Heartbeat = dataclasses.field(default_factory=Heartbeat)


@dataclasses.dataclass(frozen=True)
class Job:
    """A named background job of a service and how to build it."""

    name: str
    build: Callable[[JobContext], PeriodicJob]
    description: str = ""


class PeriodicJob:
    """Calls ``tick()`` every ``interval_s`` while this process leads the job.

    ``tick`` does one bounded round of work and returns how many items it handled;
    a full round (``batch`` items or more) runs again at once. Failures are logged
    and retried on the next round: a job never dies of a database outage. ``wake``
    (if given) cuts a wait short, e.g. when a commit queued new work. ``step_down``
    (if given) is called whenever this process does not lead – a round without the
    lock, after a failed round, and when the job stops – to let go of what only the
    leader may hold (the audit's ingest drops its consumer group membership, so the
    next leader's consumer gets every partition and resumes from the last commit).
    """

    def __init__(self, db: Database, service: str, name: str, tick: Callable[[], int], *,
                 interval_s: float, batch: int = 0, heartbeat: Heartbeat | None = None,
                 wake: threading.Event | None = None,
                 step_down: Callable[[], None] | None = None) -> None:
        self.name = name
        self.tick = tick
        self.interval_s = interval_s
        self.batch = batch
        self.heartbeat = heartbeat or Heartbeat()
        self.wake = wake
        self.step_down = step_down
        self.leadership = Leadership(db.engine, f"job-{service}-{name}")

    def run(self, stop: threading.Event) -> None:
        """Run rounds until ``stop`` is set."""
        log.info("job started", extra={"job": self.name})
        try:
            while not stop.is_set():
                self.heartbeat.beat()
                handled = self._round()
                if self.batch and handled >= self.batch:
                    continue
                self._wait(stop)
        finally:
            self._step_down()
            self.leadership.release()
            log.info("job stopped", extra={"job": self.name})

    def _round(self) -> int:
        try:
            if not self.leadership.acquire():
                self._step_down()
                return 0
            return self.tick()
        except Exception:
            log.exception("job round failed; retrying next round", extra={"job": self.name})
            self._step_down()
            self.leadership.release()
            return 0

    def _step_down(self) -> None:
        if self.step_down is None:
            return
        try:
            self.step_down()
        except Exception:  # what it let go of is gone either way
            log.exception("job step-down failed", extra={"job": self.name})

    def _wait(self, stop: threading.Event) -> None:
        if self.wake is None:
            stop.wait(self.interval_s)
            return
        # Wake on either flag: poll the stop flag at a short step while waiting for work.
        deadline = self.interval_s
        while deadline > 0 and not stop.is_set():
            if self.wake.wait(min(0.5, deadline)):
                self.wake.clear()
                return
            deadline -= 0.5
