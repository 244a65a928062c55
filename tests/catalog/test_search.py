"""Public session search: filters, text, sort, keyset pagination, parameter validation."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from services import catalog
from services.catalog import rules, service
from services.catalog.search import Cursor
from services.catalog.service import seats
from tests.catalog.builders import ADMIN, Builder, days
from tests.catalog.conftest import assert_problem
from tests.support.apps import base_config, migrated_sqlite

COURSES = [
    # module, language, price, title_en, description_en
    ("M1", "id", 1_500_000, "Workplace Cooperation Basics", "Dialogue between workers"),
    ("M2", "en", 2_500_000, "Quality Circles", "Continuous improvement with kaizen"),
    ("M3", "id", 3_500_000, "Cleaner Production", "Less waste, more productivity"),
    ("M5", "en", 2_500_000, "Safety First", "Occupational safety and health (K3)"),
]
PLACES = [("31", "Jakarta Selatan"), ("32", "Bandung"), ("32", "Bekasi"), ("33", "Semarang")]


@pytest.fixture(scope="module")
def catalog_rows(tmp_path_factory, signing_key):
    """A searchable catalog and, per visible session, the facts search filters on."""
    directory = tmp_path_factory.mktemp("search")
    app = catalog.create_app(base_config(
        directory, signing_key, database_url=migrated_sqlite(catalog.runtime(), directory)))
    db = app.extensions["score_db"]
    build = Builder(db)
    facts = []
    providers = [build.provider(), build.provider()]
    hidden = build.provider()
    for provider, (module, language, price, title, description) in itertools.product(
            [*providers, hidden], COURSES):
        course = build.course(provider, module_code=module, language=language,
                              price_per_participant=price, title_en=title,
                              description_en=description)
        for n, (province, city) in enumerate(PLACES):
            start = days(10 + 7 * n + COURSES.index((module, language, price, title,
                                                     description)))
            ts = build.session(course, start_date=start.isoformat(),
                               end_date=(start + dt.timedelta(days=1)).isoformat(),
                               enrolment_deadline=(start - dt.timedelta(days=5)).isoformat(),
                               province_code=province, city=city, capacity=10)
            full = n == 1
            if full:
                with db.transaction() as session:
                    seats.enrolment_confirmed(session, f"e-{ts.id}", f"e-{ts.id}", ts.id, 10)
            if provider is not hidden:
                facts.append({"id": ts.id, "module": module, "language": language,
                              "price": price, "province": province, "city": city,
                              "start": start, "provider": provider.id, "free": not full,
                              "text": f"{course.title_id} {title} {course.description_id} "
                                      f"{description}".lower()})
        build.session(course, "draft")
        build.session(course, "cancelled")
    service.suspend_provider(db, ADMIN, hidden.id, "under investigation")
    yield app.test_client(), facts, providers
    db.dispose()


def fetch_all(client, params: dict, limit: int = 3) -> list[dict]:
    """Every page of a search, following cursors."""
    items, cursor = [], None
    for _ in range(200):
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        r = client.get("/sessions", query_string=query)
        assert r.status_code == 200, r.json
        items += r.json["items"]
        cursor = r.json["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


def _matches(fact: dict, params: dict) -> bool:
    checks = {
        "module": lambda v: fact["module"] == v.upper(),
        "language": lambda v: fact["language"] == v,
        "province": lambda v: fact["province"] == {"ID-JB": "32"}.get(v, v),
        "city": lambda v: rules.city_key(fact["city"]) == rules.city_key(v),
        "price_min": lambda v: fact["price"] >= v, "price_max": lambda v: fact["price"] <= v,
        "date_from": lambda v: fact["start"] >= dt.date.fromisoformat(v),
        "date_to": lambda v: fact["start"] <= dt.date.fromisoformat(v),
        "provider": lambda v: fact["provider"] == v,
        "has_free_seats": lambda v: fact["free"] == (v == "true"),
        "q": lambda v: all(word.lower() in fact["text"] for word in v.split()),
    }
    return all(checks[name](value) for name, value in params.items() if name != "sort")


FILTERS = [
    {},
    {"module": "M2"},
    {"module": "m3", "province": "32"},
    {"province": "ID-JB", "city": "  BANDUNG "},
    {"language": "en", "has_free_seats": "true"},
    {"has_free_seats": "false"},
    {"price_min": 2_000_000, "price_max": 3_000_000},
    {"price_max": 1_500_000, "province": "31"},
    {"date_from": days(20).isoformat(), "date_to": days(30).isoformat()},
    {"q": "KAIZEN"},
    {"q": "safety k3", "city": "Semarang"},
    {"q": "workplace dialogue", "language": "id", "has_free_seats": "true"},
    {"q": "nothing-matches-this"},
    {"provider": "<p0>", "module": "M1"},
    {"provider": "<p1>", "price_min": 2_500_000, "date_from": days(25).isoformat(),
     "sort": "-price"},
]


@pytest.mark.parametrize("params", FILTERS, ids=lambda p: ",".join(p) or "no-filter")
def test_combined_filters_return_exactly_the_matching_sessions(catalog_rows, params):
    client, facts, providers = catalog_rows
    params = {k: v.replace("<p0>", providers[0].id).replace("<p1>", providers[1].id)
              if isinstance(v, str) else v for k, v in params.items()}
    found = [item["id"] for item in fetch_all(client, params)]
    expected = {f["id"] for f in facts if _matches(f, params)}
    assert len(found) == len(set(found)), "a session appeared twice"
    assert set(found) == expected
    assert expected or params.get("q") == "nothing-matches-this", "a vacuous case"


@pytest.mark.parametrize(("sort", "key"), [
    ("date", lambda i: (i["start_date"], i["id"])),
    ("-date", lambda i: (i["start_date"], i["id"])),
    ("price", lambda i: (i["price_per_participant"], i["id"])),
    ("-price", lambda i: (i["price_per_participant"], i["id"])),
])
def test_results_are_sorted_by_date_or_price_with_the_id_breaking_ties(catalog_rows, sort,
                                                                       key):
    client, facts, _providers = catalog_rows
    items = fetch_all(client, {"sort": sort}, limit=7)
    assert len(items) == len(facts)
    assert items == sorted(items, key=key, reverse=sort.startswith("-"))


def test_search_shows_only_published_sessions_of_approved_providers(catalog_rows):
    client, facts, _providers = catalog_rows
    items = fetch_all(client, {}, limit=100)
    assert {i["status"] for i in items} == {"published"}
    assert len(items) == len(facts)


def test_a_full_session_shows_as_full(catalog_rows):
    client, _facts, _providers = catalog_rows
    full = fetch_all(client, {"has_free_seats": "false"}, limit=100)
    assert full
    assert all(i["is_full"] and i["seats_free"] == 0 and i["seats_taken"] == 10 for i in full)


def test_like_wildcards_in_the_text_are_taken_literally(catalog_rows):
    client, _facts, _providers = catalog_rows
    for q in ("%%", "__", "a%b"):
        assert client.get("/sessions", query_string={"q": q}).json["items"] == []


def test_a_search_item_has_the_documented_shape(catalog_rows):
    from services.catalog.schemas import SessionSummary

    client, _facts, _providers = catalog_rows
    item = client.get("/sessions", query_string={"limit": 1}).json["items"][0]
    assert set(item) == set(SessionSummary().fields)
    assert SessionSummary().validate(item) == {}


@pytest.mark.parametrize("sort", ["date", "-date", "price", "-price"])
def test_pagination_neither_skips_nor_repeats_while_sessions_are_added(app, build, client,
                                                                       sort):
    provider = build.provider()
    courses = [build.course(provider, price_per_participant=p)
               for p in (1_000_000, 2_000_000, 3_000_000)]

    def add(n: int, offset: int) -> list[str]:
        ids = []
        for i in range(n):
            start = days(10 + (offset + i) % 9)
            ids.append(build.session(
                courses[(offset + i) % 3], start_date=start.isoformat(),
                end_date=start.isoformat(), enrolment_deadline=days(5).isoformat()).id)
        return ids

    existing = set(add(12, 0))
    seen, cursor, pages = [], None, 0
    while True:
        query = {"sort": sort, "limit": 4, **({"cursor": cursor} if cursor else {})}
        r = client.get("/sessions", query_string=query)
        seen += [i["id"] for i in r.json["items"]]
        cursor, pages = r.json["next_cursor"], pages + 1
        if cursor is None:
            break
        add(3, pages * 3)  # new rows land before, among and after the cursor
    assert len(seen) == len(set(seen)), "a session was repeated"
    assert existing <= set(seen), "a session present throughout was skipped"


BAD_PARAMS = [
    {"limit": 0}, {"limit": 101}, {"limit": -1}, {"limit": "ten"}, {"limit": "2.5"},
    {"sort": "title"}, {"sort": "DATE"}, {"module": "M9"}, {"module": "X"},
    {"province": "99"}, {"province": "ID-XX"}, {"province": "Jawa Barat"},
    {"date_from": "2026-13-01"}, {"date_to": "tomorrow"},
    {"date_from": "2026-06-10", "date_to": "2026-06-01"},
    {"price_min": -1}, {"price_max": "cheap"}, {"price_min": 5, "price_max": 4},
    {"price_max": 10**13}, {"language": "fr"}, {"has_free_seats": "maybe"},
    {"has_free_seats": "1"}, {"has_free_seats": "yes"},
    {"q": "a"}, {"q": "x" * 101}, {"q": "one two three four five six"},
    {"city": "c" * 101}, {"cursor": "garbage"}, {"cursor": "eyJ4Ijox"},
    {"cursor": Cursor("price", 100, "x").encode()},  # cursor of another sort order
    {"cursor": Cursor("date", "2026-01-01", "x").encode()[:-2]},
    {"provnce": "32"}, {"page": 2},
]


@pytest.mark.parametrize("params", BAD_PARAMS, ids=str)
def test_an_out_of_range_or_malformed_search_parameter_is_a_400(client, params):
    r = client.get("/sessions", query_string=params)
    body = assert_problem(r, 400)
    assert body["errors"], body


def test_a_cursor_with_a_forged_key_type_is_a_400(client):
    import base64
    import json

    for forged in (["date", 5, "id"], ["price", "2026-01-01", "id"], ["date", "x", ""],
                   ["price", True, "id"], {"sort": "date"}):
        token = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
        sort = forged[0] if isinstance(forged, list) else "date"
        assert_problem(client.get("/sessions", query_string={"cursor": token, "sort": sort}),
                       400, "cursor")
