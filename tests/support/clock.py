"""A clock tests move by hand (installed with ``shared.clock.use``; fixture ``clock``)."""

from __future__ import annotations

import datetime as dt

from shared.clock import WIB


class FakeClock:
    """Starts at the real time (so freshly signed tokens verify) and moves only when told."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.current = start or dt.datetime.now(dt.UTC)

    def now(self) -> dt.datetime:
        """The time the test set."""
        return self.current

    def advance(self, **delta: float) -> None:
        """Move forward by ``timedelta(**delta)``."""
        self.current += dt.timedelta(**delta)

    def move_to(self, day: dt.date) -> None:
        """Noon in Jakarta on ``day`` (``clock.today()`` is then ``day``)."""
        self.current = dt.datetime.combine(day, dt.time(12), WIB).astimezone(dt.UTC)
