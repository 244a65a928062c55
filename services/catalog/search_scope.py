"""Which cached search pages a change to one session can alter.

A public search page shows, in sort order, the published sessions of approved
providers that match its filters and sort strictly after its cursor, up to and
including its last row when another page follows (``next_cursor``), or to the
end otherwise. A change to session ``X`` can therefore alter a page only if

- ``X`` is on it (it may have left, moved or changed), or
- ``X`` as it is now matches the page's filters and sorts into its range (it may
  have joined).

No other page can change: keyset pages are bounded by sort keys, not offsets.
The test errs on the safe side: a filter it cannot judge exactly (text search)
counts as a match, so a page is at worst recomputed needlessly, never stale.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from services.catalog import rules
from services.catalog.search import SORTS, Cursor
from services.catalog.search_freshness import SessionState

# Filter name -> (state field, how the state value must compare with the filter value).
_EQUAL = {"module": "module_code", "province": "province_code", "provider": "provider_id",
          "language": "language"}
_AT_LEAST = {"date_from": "start_date", "price_min": "price"}
_AT_MOST = {"date_to": "start_date", "price_max": "price"}


@dataclasses.dataclass(frozen=True)
class PageScope:
    """The sessions a cached page shows and the part of the result it covers."""

    ids: frozenset[str]
    args: Mapping[str, Any]
    after: Cursor | None
    until: Cursor | None

    @property
    def seat_filtered(self) -> bool:
        """Whether seats taken decide which sessions the page shows."""
        return "has_free_seats" in self.args

    @classmethod
    def of(cls, args: Mapping[str, Any], page: Mapping[str, Any]) -> PageScope:
        """The scope of ``page``, found for the validated search ``args``."""
        following = page["next_cursor"]
        return cls(frozenset(item["id"] for item in page["items"]), args, args.get("cursor"),
                   Cursor.decode(following) if following else None)

    def could_show(self, session_id: str, state: SessionState) -> bool:
        """Whether a session in ``state`` would match this page's filters and fall in its range."""
        if state.status != "published" or state.provider_status != "approved":
            return False
        if not self._matches(state):
            return False
        column, descending = SORTS[self.args.get("sort", "date")]
        key = state.start_date if column.key == "start_date" else state.price
        if key is None:
            return True  # cannot place it: assume it lands here
        position = (key, session_id)

        def beyond(cursor: Cursor) -> bool:
            return position < (cursor.key, cursor.id) if descending \
                else position > (cursor.key, cursor.id)

        if self.after is not None and not beyond(self.after):
            return False
        return self.until is None or not beyond(self.until)

    def _matches(self, state: SessionState) -> bool:
        args = self.args
        for name, field in _EQUAL.items():
            if name in args and getattr(state, field) != args[name]:
                return False
        for name, field in _AT_LEAST.items():
            value = getattr(state, field)
            if name in args and value is not None and value < args[name]:
                return False
        for name, field in _AT_MOST.items():
            value = getattr(state, field)
            if name in args and value is not None and value > args[name]:
                return False
        if "city" in args and state.city_key != rules.city_key(args["city"]):
            return False
        if "has_free_seats" in args:
            free = rules.seats_free(state.capacity, state.seats_taken) > 0
            if free != args["has_free_seats"]:
                return False
        return True  # "q" is left to the database: any text search may match
