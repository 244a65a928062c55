"""A liveness signal for processes without an HTTP port: a file whose age says "still turning".

The relay and consumer loops call :meth:`Heartbeat.beat` on every turn, also
while they wait out a database or bus outage (an outage is not a liveness
failure; a hung loop is). ``score alive <file> --max-age 60`` fails once the
file is older than that; the probes of the Kubernetes manifests and
docker-compose.yml run the same check as ``python -m shared.heartbeat``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

# Touching the file more often than this buys nothing: probes read it every few seconds.
_MIN_INTERVAL_S = 1.0


class Heartbeat:
    """Refreshes ``path``'s modification time; does nothing without a path."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path else None
        self._last = float("-inf")

    def beat(self) -> None:
        """Note that the loop is alive (at most one file touch a second)."""
        if self.path is None:
            return
        now = time.monotonic()
        if now - self._last < _MIN_INTERVAL_S:
            return
        self._last = now
        self.path.touch()


def heartbeat_age(path: str | os.PathLike[str]) -> float | None:
    """Seconds since the heartbeat at ``path`` was last refreshed (``None``: no such file)."""
    try:
        return max(0.0, time.time() - os.stat(path).st_mtime)
    except FileNotFoundError:
        return None


def check(path: str | os.PathLike[str], max_age_s: float) -> str | None:
    """Why the heartbeat at ``path`` is not fresh, or ``None`` if it is."""
    age = heartbeat_age(path)
    if age is None:
        return f"{path}: no heartbeat yet"
    if age > max_age_s:
        return f"{path}: last heartbeat {age:.0f} s ago (more than {max_age_s:g} s)"
    return None


def main(argv: list[str] | None = None) -> int:
    """``python -m shared.heartbeat FILE [--max-age S]``: ``score alive`` without its imports.

    The probes run this form: it starts in milliseconds, where ``score`` loads
    the whole project first.
    """
    import argparse

    parser = argparse.ArgumentParser(prog="python -m shared.heartbeat",
                                     description="exit 0 if FILE was touched recently")
    parser.add_argument("file")
    parser.add_argument("--max-age", type=float, default=60.0, metavar="SECONDS")
    args = parser.parse_args(argv)
    problem = check(args.file, args.max_age)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
