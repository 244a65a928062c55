"""The catalog's notion of "today": the calendar date in Western Indonesia (WIB, UTC+7).

Use cases call ``clock.today()`` (module attribute, so tests can monkeypatch it).
"""

from __future__ import annotations

import datetime as dt

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")


def today() -> dt.date:
    """Today's date in Jakarta."""
    return dt.datetime.now(WIB).date()


def now() -> dt.datetime:
    """Now, in UTC."""
    return dt.datetime.now(dt.UTC)
