"""Services talking over a real broker in one test: their relays and consumers as threads."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator

from werkzeug.serving import make_server

from shared.events.consumer import ConsumerRunner
from shared.events.relay import Relay


@contextlib.contextmanager
def workers(app, service: str) -> Iterator[ConsumerRunner]:
    """The service's relay and consumer as threads on the broker, like `score run` starts them.

    The consumer has a group of its own, so it reads its topics from the start.
    """
    db, bus = app.extensions["score_db"], app.extensions["score_bus"]
    runtime = app.extensions["score_runtime"]
    relay = Relay(db, bus, service, poll_ms=50, topics=runtime.events.topics)
    runner = ConsumerRunner(db, bus, f"{service}-flow-{uuid.uuid4().hex[:8]}",
                            runtime.handlers, max_attempts=3, backoff_ms=50)
    stop = threading.Event()
    threads = [threading.Thread(target=w.run, args=(stop,), daemon=True) for w in (relay, runner)]
    for thread in threads:
        thread.start()
    try:
        yield runner
    finally:
        stop.set()
        db.commits.ring()
        for thread in threads:
            thread.join(timeout=30)


def eventually(check: Callable[[], object], what: str = "the condition holds",
               timeout_s: float = 60) -> None:
    """Wait until ``check()`` is true (an AssertionError naming ``what`` after ``timeout_s``)."""
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.1)


@contextlib.contextmanager
def serving(app) -> Iterator[str]:
    """``app`` over HTTP on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll: shutdown() waits for the loop to look (0.5 s by default).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
