"""Relay, consumer and the service's jobs as threads of the service process (embedded mode).

Production runs them as their own processes (``score relay``/``score consume``/``score job``).
"""

from __future__ import annotations

import atexit
import threading

from flask import Flask

from shared.db import Database
from shared.events.consumer import ConsumerRunner
from shared.events.link import BusLink, LinkMetrics
from shared.events.relay import Relay
from shared.jobs import JobContext, PeriodicJob


class Workers:
    """The running relay, consumer and job threads of one service process."""

    def __init__(self, threads: list[threading.Thread], stop_flag: threading.Event,
                 db: Database) -> None:
        self.threads = threads
        self.stop_flag = stop_flag
        self.db = db

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask every worker to stop and wait for it (its record or batch in hand is finished)."""
        self.stop_flag.set()
        self.db.commits.ring()  # an idle relay waits for this bell: let it see the flag now
        for thread in self.threads:
            thread.join(timeout=timeout_s)


def start_workers(app: Flask) -> Workers:
    """Start the relay, the consumer (if the service handles events) and its jobs as threads."""
    settings = app.extensions["score_settings"]
    runtime = app.extensions["score_runtime"]
    db, bus = app.extensions["score_db"], app.extensions["score_bus"]
    # Their bus-link series go to the app's /metrics.
    metrics = LinkMetrics(app.extensions["score_metrics"])
    workers: list[Relay | ConsumerRunner | PeriodicJob] = [
        Relay(db, bus, runtime.name, poll_ms=settings.relay_poll_ms,
              batch_size=settings.relay_batch_size, topics=runtime.events.topics,
              link=BusLink("relay", metrics))]
    if runtime.handlers is not None and len(runtime.handlers):
        group = runtime.group_for(settings)
        workers.append(ConsumerRunner(db, bus, group, runtime.handlers,
                                      max_attempts=settings.consumer_max_attempts,
                                      backoff_ms=settings.consumer_backoff_ms,
                                      link=BusLink("consumer", metrics)))
    context = JobContext(settings, db, bus)
    workers.extend(job.build(context) for job in runtime.jobs)
    stop = threading.Event()
    threads = [threading.Thread(target=w.run, args=(stop,), daemon=True,
                                name=f"{runtime.name}-{type(w).__name__.lower()}")
               for w in workers]
    for thread in threads:
        thread.start()
    running = Workers(threads, stop, db)
    atexit.register(running.stop)
    app.extensions["score_workers"] = running
    return running
