"""The relay and the consumer runner as the bench's processes, noting when each event passes by.

    python -m bench.event_stages relay   <database url> <bootstrap> <out.json>
    python -m bench.event_stages consume <database url> <bootstrap> <group> <out.json>

What runs is the production code – ``Relay`` and ``ConsumerRunner`` on the
Kafka bus, each in a process of its own as ``score relay`` / ``score consume``
run them – with thin wrappers that note, per event id (the ``ce_id`` header),
when the relay sent it, when the broker acknowledged it, when its outbox row
was marked sent, when the consumer's poll returned it and when its handler's
transaction committed (and the process's CPU time at each). On SIGTERM the
process stops as ``score`` does and writes ``{stage: {event id: epoch
seconds}}`` (``cpu:<stage>``: CPU seconds) to ``out.json``.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.db import Database
from shared.events.bus.kafka import KafkaBus
from shared.events.consumer import ConsumerRunner
from shared.events.relay import Relay
from tests.support import pingpong
from tests.support.pingpong.handlers import HANDLERS

STAGES: dict[str, dict[str, float]] = defaultdict(dict)


def _note(stage: str, event_ids) -> None:
    # The process's CPU time too: what each event costs, whatever else runs on the machine.
    now, cpu = time.time(), time.process_time()
    for event_id in event_ids:
        STAGES[stage].setdefault(event_id, now)
        STAGES[f"cpu:{stage}"].setdefault(event_id, cpu)


class _TimedProducer:
    def __init__(self, inner) -> None:
        self._inner, self._pending = inner, []

    def send(self, topic, key, value, headers=None):
        self._inner.send(topic, key, value, headers)
        event_id = (headers or {}).get("ce_id", b"").decode()
        _note("sent", [event_id])
        self._pending.append(event_id)

    def flush(self, timeout_s: float = 30.0):
        self._inner.flush(timeout_s)
        _note("acked", self._pending)
        self.flushed, self._pending = self._pending, []

    def __getattr__(self, name):
        return getattr(self._inner, name)


class _TimedConsumer:
    def __init__(self, inner) -> None:
        self._inner = inner

    def poll(self, timeout_ms: int = 100, max_records: int = 100):
        batch = self._inner.poll(timeout_ms=timeout_ms, max_records=max_records)
        _note("polled", [m.headers.get("ce_id", b"").decode() for m in batch])
        return batch

    def __getattr__(self, name):
        return getattr(self._inner, name)


class TimedBus(KafkaBus):
    """The Kafka bus, with producers and consumers that note when events pass."""

    def producer(self):
        return _TimedProducer(super().producer())

    def consumer(self, group, topics, *, start=None):
        return _TimedConsumer(super().consumer(group, topics, start=start))


class TimedRelay(Relay):
    """The relay, noting when each acknowledged batch's rows have been marked sent."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        marker = getattr(self, "_marker", None)
        if marker is not None:  # marks may commit on a thread of their own
            hand_over, mark = marker.hand_over, marker.mark

            def timed_hand_over(connection, ids) -> None:
                events = list(self._producer.flushed)
                marker.mark = lambda c, i: (mark(c, i), _note("marked", events))
                hand_over(connection, ids)

            marker.hand_over = timed_hand_over

    def relay_once(self) -> int:
        acked_before = set(STAGES["acked"])
        sent = super().relay_once()
        if getattr(self, "_marker", None) is None:  # marked before relay_once returned
            _note("marked", set(STAGES["acked"]) - acked_before)
        return sent


class TimedRunner(ConsumerRunner):
    """The consumer runner, noting when each event's handler transaction has committed."""

    def _apply(self, message, handler, event):
        outcome = super()._apply(message, handler, event)
        _note("applied", [event.id])
        return outcome

    def _apply_together(self, batch) -> bool:
        applied = super()._apply_together(batch)
        if applied:
            _note("applied", [m.headers.get("ce_id", b"").decode() for m in batch])
        return applied


def main(argv: list[str]) -> int:
    """Run one worker until SIGTERM, then write what it noted."""
    role, url, bootstrap, *rest = argv
    db = Database(url, pool_pre_ping=False)  # as `score relay` / `score consume` do
    bus = TimedBus(bootstrap, client_id=f"bench-{role}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if role == "relay":
        TimedRelay(db, bus, "pingpong", topics=pingpong.runtime().events.topics).run(stop)
    else:
        group, *rest = rest
        TimedRunner(db, bus, group, HANDLERS).run(stop)
    Path(rest[0]).write_text(json.dumps(STAGES))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
