"""Relay and consumer as threads of the service process (the embedded mode).

Production runs them as their own processes (``score relay``/``score consume``).
"""

from __future__ import annotations

import atexit
import threading

from flask import Flask

from shared.events.consumer import ConsumerRunner
from shared.events.relay import Relay


def start_workers(app: Flask) -> threading.Event:
    """Start the relay (and the consumer, if the service handles events); return the stop flag."""
    settings = app.extensions["score_settings"]
    runtime = app.extensions["score_runtime"]
    db, bus = app.extensions["score_db"], app.extensions["score_bus"]
    stop = threading.Event()
    relay = Relay(db, bus, runtime.name, poll_ms=settings.relay_poll_ms,
                  batch_size=settings.relay_batch_size)
    workers: list[Relay | ConsumerRunner] = [relay]
    if runtime.handlers is not None and len(runtime.handlers):
        group = runtime.group_for(settings)
        workers.append(ConsumerRunner(db, bus, group, runtime.handlers,
                                      max_attempts=settings.consumer_max_attempts,
                                      backoff_ms=settings.consumer_backoff_ms))
    threads = [threading.Thread(target=w.run, args=(stop,), daemon=True,
                                name=f"{runtime.name}-{type(w).__name__.lower()}")
               for w in workers]
    for thread in threads:
        thread.start()

    def _stop() -> None:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)

    atexit.register(_stop)
    app.extensions["score_workers_stop"] = stop
    return stop
