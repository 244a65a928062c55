"""The one clock of a process: ``now()`` in UTC and ``today()`` in Jakarta, replaceable in tests.

Use cases, entities, event handlers and seeds ask ``clock.now()`` or
``clock.today()`` at the moment they need the time, so one replacement
reaches all of them – also handlers in a consumer process, which has no app.
Tests install a clock they move by hand (``tests/support/clock.py``)::

    with clock.use(FakeClock(start)):
        ...

Timestamps are timezone-aware UTC; dates a person sees (deadlines, "today")
are calendar dates in Western Indonesia, where the market is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

# Western Indonesian Time (UTC+7, no daylight saving): the market's calendar.
WIB = dt.timezone(dt.timedelta(hours=7), "WIB")


class Clock(Protocol):
    """Anything that tells the time."""

    def now(self) -> dt.datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> dt.datetime:
        """The current time in UTC."""
        return dt.datetime.now(dt.UTC)


_installed: list[Clock] = [SystemClock()]


def now() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return _installed[-1].now().astimezone(dt.UTC)


def today() -> dt.date:
    """Today's date in Jakarta (WIB)."""
    return now().astimezone(WIB).date()


class ReplayClock:
    """History told again: starts at ``start`` and moves a millisecond each time it is read,
    so what happens inside keeps its order (demo seeds replay past months this way)."""

    def __init__(self, start: dt.datetime) -> None:
        self.current = start

    def now(self) -> dt.datetime:
        """The replayed moment, one millisecond later than the last reading."""
        self.current += dt.timedelta(milliseconds=1)
        return self.current


@contextmanager
def replaying(day: dt.date, hour: int = 9) -> Iterator[Clock]:
    """Inside the block it is ``day`` in Jakarta, from ``hour`` o'clock (a :class:`ReplayClock`)."""
    with use(ReplayClock(dt.datetime.combine(day, dt.time(hour), WIB))) as clock:
        yield clock


@contextmanager
def use(clock: Clock) -> Iterator[Clock]:
    """Make ``clock`` the process's clock inside the block (tests, replays)."""
    _installed.append(clock)
    try:
        yield clock
    finally:
        _installed.remove(clock)
