"""Periods and slices: where in time, space and the market an event's fact belongs.

An indicator is cut by the year and quarter of the event's own time in Jakarta
(the market's calendar, :data:`shared.clock.WIB`), by province (BPS code) and by
provider. The projection keeps its figures per slice key ``"<period>|<province>|
<provider>"`` so that any filter is a scan over keys, never a new replay.
"""

from __future__ import annotations

import datetime as dt
import re

from shared.clock import WIB

# "2026" (a year) or "2026-Q3" (a quarter): what the ``period`` filter accepts.
PERIOD_PATTERN = r"^[0-9]{4}(-Q[1-4])?$"


def quarter_of(moment: dt.datetime) -> str:
    """``"YYYY-Qn"`` of ``moment`` in Jakarta."""
    local = moment.astimezone(WIB)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def slice_key(period: str, province: str | None, provider: str | None) -> str:
    """The key a fact is counted under (an unknown province or provider is empty)."""
    return f"{period}|{province or ''}|{provider or ''}"


class SliceFilter:
    """Which slice keys a query counts: a year or quarter, a province, a provider (or all)."""

    def __init__(self, period: str | None = None, province: str | None = None,
                 provider: str | None = None) -> None:
        if period is not None and not re.fullmatch(PERIOD_PATTERN, period):
            raise ValueError(f"period must be YYYY or YYYY-Qn, not {period!r}")
        self.period, self.province, self.provider = period, province, provider

    def matches(self, key: str) -> bool:
        """Whether the fact counted under ``key`` is in the filtered slice."""
        period, province, provider = key.split("|")
        return ((self.period is None or period == self.period
                 or period.startswith(f"{self.period}-"))
                and (self.province is None or province == self.province)
                # an empty provider (a provider account without one) matches nothing
                and (self.provider is None or (bool(self.provider)
                                               and provider == self.provider)))
