"""Which cached pages a change can alter (pure), and the page cache applying changes."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest

from services.catalog.search import Cursor
from services.catalog.search_cache import PageCache
from services.catalog.search_freshness import Change, SessionState
from services.catalog.search_scope import PageScope

DAY = dt.date(2027, 3, 1)


def state(**changes) -> SessionState:
    """A published session of an approved provider in Bandung, 20 seats, 7 taken."""
    values = {"status": "published", "provider_status": "approved", "provider_id": "p-1",
              "module_code": "M1", "province_code": "32", "city_key": "bandung",
              "language": "id", "start_date": DAY, "price": 2_500_000, "capacity": 20,
              "seats_taken": 7}
    return SessionState(**{**values, **changes})


def scope(ids=(), after=None, until=None, **args) -> PageScope:
    return PageScope(frozenset(ids), args, after, until)


@pytest.mark.parametrize(("page", "session", "shown"), [
    (scope(), state(), True),
    (scope(), state(status="draft"), False),
    (scope(), state(status="cancelled"), False),
    (scope(), state(provider_status="suspended"), False),
    (scope(module="M1"), state(), True),
    (scope(module="M2"), state(), False),
    (scope(province="35"), state(), False),
    (scope(provider="p-2"), state(), False),
    (scope(language="en"), state(), False),
    (scope(city="Bandung "), state(), True),
    (scope(city="Surabaya"), state(), False),
    (scope(date_from=DAY), state(), True),
    (scope(date_from=DAY + dt.timedelta(days=1)), state(), False),
    (scope(date_to=DAY - dt.timedelta(days=1)), state(), False),
    (scope(price_min=3_000_000), state(), False),
    (scope(price_max=2_500_000), state(), True),
    (scope(price_max=2_000_000), state(), False),
    (scope(has_free_seats=True), state(), True),
    (scope(has_free_seats=True), state(seats_taken=20), False),
    (scope(has_free_seats=False), state(seats_taken=20), True),
    (scope(has_free_seats=False), state(), False),
    (scope(q="nothing like it"), state(), True),  # text search is the database's to judge
], ids=repr)
def test_a_session_could_join_a_page_only_if_it_matches_every_filter(page, session, shown):
    assert page.could_show("s-5", session) is shown


@pytest.mark.parametrize(("after", "until", "sort", "shown"), [
    (None, None, "date", True),
    (None, Cursor("date", DAY, "s-5"), "date", True),  # the last row itself
    (None, Cursor("date", DAY, "s-4"), "date", False),  # same day, sorts after the last row
    (None, Cursor("date", DAY + dt.timedelta(days=1), "s-0"), "date", True),
    (Cursor("date", DAY, "s-5"), None, "date", False),  # the cursor row is on the page before
    (Cursor("date", DAY, "s-4"), None, "date", True),
    (Cursor("date", DAY + dt.timedelta(days=1), "s-0"), None, "date", False),
    (Cursor("-date", DAY + dt.timedelta(days=1), "s-0"), None, "-date", True),
    (None, Cursor("-date", DAY + dt.timedelta(days=1), "s-0"), "-date", False),
    (None, Cursor("price", 2_000_000, "s-9"), "price", False),
    (None, Cursor("-price", 2_000_000, "s-9"), "-price", True),
], ids=repr)
def test_a_session_could_join_a_page_only_inside_its_keyset_range(after, until, sort, shown):
    assert scope(after=after, until=until, sort=sort).could_show("s-5", state()) is shown


def change(version: int, session_id: str | None, session: SessionState | None = None,
           seats_only: bool = False) -> Change:
    return Change(version, session_id, session, seats_only)


def page(*ids: str, pad: str = "") -> dict:
    """A page showing ``ids`` (``pad`` makes it bigger)."""
    return {"items": [{"id": i, "seats_taken": 7} for i in ids], "pad": pad}


def put(cache: PageCache, version: int, key: bytes, shown: dict, **args) -> None:
    ids = [item["id"] for item in shown["items"]]
    cache.put(version, key, shown, scope(ids, **args))


def test_the_page_cache_is_a_bounded_lru():
    size = len(orjson.dumps(page("s-1")))
    cache = PageCache(max_entries=2, max_bytes=2 * size + 5)
    cache.catch_up(1, [])
    put(cache, 1, b"a", page("s-1"))
    put(cache, 1, b"b", page("s-2"))
    assert cache.get(b"a") == orjson.dumps(page("s-1"))  # a is now the most recent
    put(cache, 1, b"c", page("s-3"))
    assert cache.get(b"b") is None
    assert cache.get(b"a") is not None and cache.get(b"c") is not None
    put(cache, 1, b"d", page("s-4", pad="x" * 10))  # too many bytes with a: the oldest goes
    assert len(cache) == 1 and cache.get(b"d") is not None
    put(cache, 1, b"huge", page("s-5", pad="x" * 3 * size))
    assert cache.get(b"huge") is None


def test_a_change_drops_the_pages_showing_its_session_and_those_it_could_join():
    cache = PageCache()
    cache.catch_up(1, [])
    put(cache, 1, b"shows", page("s-1"), module="M2")
    put(cache, 1, b"joins", page("s-9"), module="M1")
    put(cache, 1, b"other", page("s-9"), module="M3")
    cache.catch_up(2, [change(2, "s-1", state())])
    assert (cache.get(b"shows"), cache.get(b"joins")) == (None, None)
    assert cache.get(b"other") is not None


def test_a_seat_change_patches_the_pages_showing_the_session_and_drops_no_other():
    cache = PageCache()
    cache.catch_up(1, [])
    put(cache, 1, b"shows", page("s-1", "s-2"), module="M2")
    put(cache, 1, b"could", page("s-9"))
    cache.catch_up(2, [change(2, "s-1", state(seats_taken=12), seats_only=True)])
    items = orjson.loads(cache.get(b"shows"))["items"]
    assert items[0] == {"id": "s-1", "capacity": 20, "seats_taken": 12, "seats_free": 8,
                        "is_full": False}
    assert items[1] == {"id": "s-2", "seats_taken": 7}
    assert cache.get(b"could") is not None and cache.patched == 1 and cache.dropped == 0


def test_a_seat_change_drops_free_seat_pages_the_session_enters_or_leaves():
    cache = PageCache()
    cache.catch_up(1, [])
    put(cache, 1, b"free-shows", page("s-1"), has_free_seats=True)
    put(cache, 1, b"full", page("s-9"), has_free_seats=False)
    put(cache, 1, b"free-other", page("s-9"), has_free_seats=True)
    cache.catch_up(2, [change(2, "s-1", state(seats_taken=20), seats_only=True)])
    assert (cache.get(b"free-shows"), cache.get(b"full")) == (None, None)
    assert cache.get(b"free-other") is not None


def test_a_change_of_anything_or_a_missing_change_drops_every_page():
    cache = PageCache()
    cache.catch_up(1, [])
    put(cache, 1, b"a", page("s-1"), module="M3")
    cache.catch_up(2, [change(2, None)])
    assert len(cache) == 0
    put(cache, 2, b"a", page("s-1"), module="M3")
    cache.catch_up(4, [change(4, "s-2", state())])  # version 3 was trimmed away
    assert len(cache) == 0 and cache.applied == 4


def test_a_page_computed_before_an_applied_change_is_not_stored():
    cache = PageCache()
    cache.catch_up(1, [])
    cache.catch_up(2, [change(2, "s-2", state())])
    put(cache, 1, b"late", page())
    assert cache.get(b"late") is None
    cache.catch_up(1, [])  # an older read changes nothing
    assert cache.applied == 2


def test_changes_already_applied_by_another_request_are_skipped():
    cache = PageCache()
    cache.catch_up(1, [])
    cache.catch_up(2, [change(2, "s-1", state())])
    put(cache, 2, b"a", page("s-1"))
    cache.catch_up(3, [change(2, "s-1", state()), change(3, "s-7", state(module_code="M5"))])
    assert cache.get(b"a") is None  # version 3: s-7 could join the unfiltered page
    put(cache, 3, b"b", page("s-1"), module="M2")
    cache.catch_up(4, [change(3, "s-1", state()), change(4, "s-8", state())])
    assert cache.get(b"b") is not None
