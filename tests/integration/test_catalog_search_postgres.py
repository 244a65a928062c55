"""Public search on real PostgreSQL: its own SQL there (id sets as ``ANY(ARRAY(…))``),
quick reads on unpinged autocommit connections, and freshness after every write."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from services import catalog
from services.catalog import service
from services.catalog.search_cache import EXTENSION
from tests.catalog.builders import ADMIN, Builder, days
from tests.catalog.test_seats import CONFIRMED, Enrolments

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_app(pg_database, app_config):
    """The catalog app on a fresh PostgreSQL database (migrated on start), local bus."""
    app = catalog.create_app(app_config(database_url=pg_database, auto_migrate=True))
    yield app
    app.extensions["score_db"].dispose()


@pytest.fixture
def world(pg_app):
    """Two approved providers (one later suspended), three courses, six sessions."""
    build = Builder(pg_app.extensions["score_db"])
    first, second = build.provider(), build.provider()
    safety = build.course(first, module_code="M5", title_en="Safety and Health",
                          language="en")
    quality = build.course(first, module_code="M2", title_en="Quality Improvement")
    other = build.course(second, module_code="M2", title_en="Quality for Exporters")
    sessions = {}
    for n, (name, course, city) in enumerate([
            ("safety-bdg", safety, "Bandung"), ("quality-bdg", quality, "Bandung"),
            ("quality-sby", quality, "Surabaya"), ("other-bdg", other, "Bandung"),
            ("other-sby", other, "Surabaya"), ("safety-sby", safety, "Surabaya")]):
        province = "32" if city == "Bandung" else "35"
        sessions[name] = build.session(
            course, city=city, province_code=province, start_date=days(30 + n).isoformat(),
            end_date=days(31 + n).isoformat(), enrolment_deadline=days(23 + n).isoformat()).id
    return {"build": build, "second": second, **sessions}


def names(client, world, query: str = "") -> list[str]:
    response = client.get("/sessions" + query)
    assert response.status_code == 200, response.get_data(as_text=True)
    by_id = {v: k for k, v in world.items() if isinstance(v, str)}
    return [by_id[item["id"]] for item in response.json["items"]]


def test_filters_sorts_and_text_search_on_postgresql(pg_app, world):
    client = pg_app.test_client()
    assert names(client, world) == ["safety-bdg", "quality-bdg", "quality-sby", "other-bdg",
                                    "other-sby", "safety-sby"]
    assert names(client, world, "?module=M2&province=35") == ["quality-sby", "other-sby"]
    assert names(client, world, "?q=quality+exporters") == ["other-bdg", "other-sby"]
    assert names(client, world, "?q=SAFETY&language=en") == ["safety-bdg", "safety-sby"]
    assert names(client, world, "?city=surabaya&sort=-date") == ["safety-sby", "other-sby",
                                                                 "quality-sby"]
    assert names(client, world, f"?date_from={days(32).isoformat()}&has_free_seats=true"
                                "&limit=2") == ["quality-sby", "other-bdg"]


def test_keyset_pages_on_postgresql_cover_every_session_once(pg_app, world):
    client, seen, cursor = pg_app.test_client(), [], None
    while True:
        page = client.get("/sessions?limit=4&sort=-date"
                          + (f"&cursor={cursor}" if cursor else "")).json
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 6


def test_every_write_shows_in_the_next_search_on_postgresql(pg_app, world):
    client, db = pg_app.test_client(), pg_app.extensions["score_db"]
    cache = pg_app.extensions[EXTENSION]
    assert names(client, world, "?province=35")[0] == "quality-sby"
    enrolments = Enrolments(pg_app)
    enrolments.deliver(enrolments.event(CONFIRMED, "e-1", world["quality-sby"], 20))
    hits = cache.hits
    full = client.get("/sessions?province=35").json["items"][0]
    assert (full["seats_taken"], full["is_full"], cache.hits) == (20, True, hits + 1)
    assert "quality-sby" not in names(client, world, "?has_free_seats=true")
    staff = Builder.staff(world["second"].id)
    service.update_session(db, staff, world["other-sby"], {"city": "Malang"})
    assert names(client, world, "?city=malang") == ["other-sby"]
    service.suspend_provider(db, ADMIN, world["second"].id, "audit findings")
    assert "other-bdg" not in names(client, world)


def test_quick_reads_leave_no_transaction_open_and_survive_a_dropped_connection(pg_app,
                                                                              world):
    client, db = pg_app.test_client(), pg_app.extensions["score_db"]
    for query in ("", "?module=M2", "?q=quality"):
        names(client, world, query)
    with db.engine.connect() as connection:
        idle_in_transaction = connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()")).scalar()
        assert idle_in_transaction == 0
        connection.execute(text(  # drop every other connection, as a restart would
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    assert names(client, world, "?module=M5")[0] == "safety-bdg"
