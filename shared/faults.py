"""Fault injection for crash tests: die with SIGKILL at a named point.

``SCORE_FAULTS="relay.after_send:0.3,consumer.in_handler:1"`` makes the
process kill itself at those points with the given probability. Crash tests
use it to hit the narrow windows (between send and mark, inside a handler's
transaction) on purpose instead of by luck. Ignored in production.
"""

from __future__ import annotations

import os
import random
import signal


def _parse(raw: str) -> dict[str, float]:
    points = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, _, chance = part.partition(":")
        points[name] = float(chance or 1)
    return points


def fault_point(name: str) -> None:
    """Kill this process now if ``SCORE_FAULTS`` arms ``name`` (and the dice agree)."""
    raw = os.environ.get("SCORE_FAULTS")
    if not raw or os.environ.get("SCORE_ENV") == "production":
        return
    chance = _parse(raw).get(name)
    if chance is not None and random.random() < chance:
        os.kill(os.getpid(), signal.SIGKILL)
