"""Cached search pages are never stale: every write is visible in the very next search."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from services.catalog import search_freshness, service
from services.catalog.models import SearchVersion, TrainingSession
from services.catalog.search_cache import EXTENSION, PageCache
from tests.catalog.builders import ADMIN, Builder, days
from tests.catalog.conftest import assert_problem
from tests.catalog.test_seats import CANCELLED, CONFIRMED, Enrolments


def ids(client, query: str = "") -> list[str]:
    r = client.get("/sessions" + query)
    assert r.status_code == 200, r.get_data(as_text=True)
    return [item["id"] for item in r.json["items"]]


def item(client, session_id: str, query: str = "") -> dict:
    r = client.get("/sessions" + query)
    return next(i for i in r.json["items"] if i["id"] == session_id)


@pytest.fixture
def cache(app) -> PageCache:
    return app.extensions[EXTENSION]


def test_a_repeated_search_is_served_from_the_cache_byte_for_byte(app, client, build, cache):
    build.world()
    first = client.get("/sessions?limit=5")
    second = client.get("/sessions?limit=5")
    assert (cache.misses, cache.hits) == (1, 1)
    assert second.get_data() == first.get_data()
    assert second.mimetype == first.mimetype == "application/json"
    assert second.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    del app.extensions[EXTENSION]  # the uncached path gives the same bytes
    assert client.get("/sessions?limit=5").get_data() == first.get_data()


def test_searching_never_bumps_the_version(app, client, build):
    build.world()
    db = app.extensions["score_db"]
    before = search_freshness.current_version(db)
    for query in ("", "?limit=1", "?module=M1", "?limit=0"):
        client.get("/sessions" + query)
    assert search_freshness.current_version(db) == before


def test_publishing_a_session_shows_in_the_next_search(client, build, db):
    _provider, course, shown = build.world()
    draft = build.session(course, "draft")
    assert ids(client) == [shown.id]
    service.publish_session(db, Builder.staff(course.provider_id), draft.id)
    assert set(ids(client)) == {shown.id, draft.id}


def test_editing_a_session_shows_in_the_next_search(client, build, db):
    _provider, course, ts = build.world()
    assert item(client, ts.id)["capacity"] == 20
    service.update_session(db, Builder.staff(course.provider_id), ts.id,
                           {"capacity": 7, "city": "Cirebon"})
    changed = item(client, ts.id)
    assert (changed["capacity"], changed["city"]) == (7, "Cirebon")
    assert ids(client, "?city=cirebon") == [ts.id]


def test_cancelling_a_session_removes_it_from_the_next_search(client, build, db):
    _provider, course, ts = build.world()
    assert ids(client) == [ts.id]
    service.cancel_session(db, Builder.staff(course.provider_id), ts.id, "no venue")
    assert ids(client) == []


def test_suspending_and_reinstating_a_provider_shows_in_the_next_search(client, build, db):
    provider, _course, ts = build.world()
    assert ids(client) == [ts.id]
    service.suspend_provider(db, ADMIN, provider.id, "audit findings")
    assert ids(client) == []
    service.approve_provider(db, ADMIN, provider.id, "resolved")
    assert ids(client) == [ts.id]


def test_editing_a_course_or_provider_shows_in_the_next_search(client, build, db):
    provider, course, ts = build.world()
    assert item(client, ts.id)["course"]["title_en"] != "Renamed"
    service.update_course(db, Builder.staff(provider.id), course.id, {"title_en": "Renamed"})
    assert item(client, ts.id)["course"]["title_en"] == "Renamed"
    service.update_provider(db, Builder.staff(provider.id), provider.id,
                            {"legal_name": "PT Baru"})
    assert item(client, ts.id)["provider"]["legal_name"] == "PT Baru"


def test_seat_events_show_in_the_next_search(app, client, build):
    _provider, _course, ts = build.world()
    assert item(client, ts.id, "?has_free_seats=true")["seats_taken"] == 0
    enrolments = Enrolments(app)
    enrolments.deliver(enrolments.event(CONFIRMED, "e-1", ts.id, 20))
    assert item(client, ts.id)["seats_taken"] == 20
    assert ids(client, "?has_free_seats=true") == []
    enrolments.deliver(enrolments.event(CANCELLED, "e-1", ts.id, 20))
    assert item(client, ts.id, "?has_free_seats=true")["seats_taken"] == 0


def test_dml_statements_through_a_session_bump_the_version(client, build, db):
    _provider, _course, ts = build.world()
    assert item(client, ts.id)["capacity"] == 20
    with db.transaction() as session:  # Core table statement, not the ORM entity
        session.execute(update(TrainingSession.__table__)
                        .where(TrainingSession.__table__.c.id == ts.id).values(capacity=9))
    assert item(client, ts.id)["capacity"] == 9


def test_a_rolled_back_write_leaves_the_version_alone(client, build, db):
    build.world()
    before = search_freshness.current_version(db)
    with pytest.raises(RuntimeError), db.transaction() as session:
        session.execute(update(TrainingSession).values(capacity=3))
        raise RuntimeError("abort")
    assert search_freshness.current_version(db) == before
    with db.reading() as session:
        assert set(session.scalars(select(TrainingSession.capacity))) == {20}


def test_one_bump_per_transaction(build, db):
    _provider, course, _ts = build.world()
    before = search_freshness.current_version(db)
    build.session(course, "draft")  # create: one transaction
    assert search_freshness.current_version(db) == before + 1
    with db.reading() as session:
        assert session.scalar(select(SearchVersion.version)) == before + 1


@pytest.mark.parametrize("query", ["?limit=0", "?provnce=32", "?module=M9", "?cursor=garbage"])
def test_invalid_parameters_are_still_a_400_and_never_cached(client, build, cache, query):
    build.world()
    for _ in range(2):
        assert_problem(client.get("/sessions" + query), 400)
    assert len(cache) == 0 and cache.hits == 0


def test_the_search_parameters_stay_documented(client):
    spec = client.get("/openapi.json").json
    names = {p["name"] for p in spec["paths"]["/sessions"]["get"]["parameters"]}
    assert {"q", "module", "province", "sort", "limit", "cursor", "has_free_seats"} <= names


def test_the_cache_can_be_switched_off_and_search_still_answers(tmp_path, app_config):
    from services import catalog
    from tests.support.apps import migrated_sqlite

    app = catalog.create_app(app_config(
        database_url=migrated_sqlite(catalog.runtime(), tmp_path), search_cache="false"))
    assert EXTENSION not in app.extensions
    response = app.test_client().get("/sessions")
    assert response.status_code == 200 and response.json["items"] == []


# -- Only the pages a change can alter are dropped ------------------------------------


def hit(client, cache: PageCache, query: str) -> bool:
    """Search ``query``; True if the page came from the cache."""
    before = cache.hits
    ids(client, query)
    return cache.hits == before + 1


def test_a_seat_event_patches_the_cached_pages_showing_that_session(app, client, build,
                                                                    cache):
    _provider, course, bandung = build.world()
    surabaya = build.session(course, city="Surabaya", province_code="35")
    for query in ("?province=32", "?province=35", ""):
        ids(client, query)
    enrolments = Enrolments(app)
    enrolments.deliver(enrolments.event(CONFIRMED, "e-1", bandung.id, 5))
    for query in ("?province=32", "?province=35", ""):
        assert hit(client, cache, query)
    shown = item(client, bandung.id, "?province=32")
    assert (shown["seats_taken"], shown["seats_free"], shown["is_full"]) == (5, 15, False)
    assert item(client, bandung.id)["seats_taken"] == 5
    assert item(client, surabaya.id)["seats_taken"] == 0
    patched = client.get("/sessions").get_data()
    del app.extensions[EXTENSION]  # computed afresh: the same bytes
    assert client.get("/sessions").get_data() == patched


def test_a_session_filling_up_leaves_the_free_seats_pages_it_was_on(app, client, build, cache):
    _provider, _course, ts = build.world()
    assert ids(client, "?has_free_seats=true") == [ts.id]
    assert ids(client, "?has_free_seats=false") == []
    enrolments = Enrolments(app)
    enrolments.deliver(enrolments.event(CONFIRMED, "e-1", ts.id, 20))
    assert ids(client, "?has_free_seats=true") == []
    assert ids(client, "?has_free_seats=false") == [ts.id]
    enrolments.deliver(enrolments.event(CANCELLED, "e-1", ts.id, 20))
    assert ids(client, "?has_free_seats=true") == [ts.id]
    assert ids(client, "?has_free_seats=false") == []


def test_an_edit_moving_a_session_to_another_province_shows_in_both_pages(client, build, db,
                                                                          cache):
    _provider, course, ts = build.world()
    other = build.session(course, city="Surabaya", province_code="35")
    assert (ids(client, "?province=32"), ids(client, "?province=35")) == ([ts.id], [other.id])
    service.update_session(db, Builder.staff(course.provider_id), ts.id,
                           {"province_code": "35", "city": "Malang"})
    assert ids(client, "?province=32") == []
    assert set(ids(client, "?province=35")) == {ts.id, other.id}
    assert hit(client, cache, "?province=32")


def test_a_session_sorting_before_a_second_page_leaves_that_page_cached(client, build, db,
                                                                       cache):
    _provider, course, _first = build.world()
    for n in range(3):
        build.session(course, start_date=days(40 + n).isoformat(),
                      end_date=days(41 + n).isoformat(),
                      enrolment_deadline=days(33 + n).isoformat())
    first_page = client.get("/sessions?limit=2").json
    second = "?limit=2&cursor=" + first_page["next_cursor"]
    second_ids = ids(client, second)
    early = build.session(course, start_date=days(10).isoformat(),
                          end_date=days(11).isoformat(), enrolment_deadline=days(5).isoformat())
    assert hit(client, cache, second) and ids(client, second) == second_ids
    assert ids(client, "?limit=2")[0] == early.id


def test_a_session_edit_leaves_pages_of_other_filters_cached(client, build, db, cache):
    _provider, course, ts = build.world()
    ids(client, "?module=M2")
    ids(client, "?city=bandung")
    service.update_session(db, Builder.staff(course.provider_id), ts.id, {"capacity": 9})
    assert hit(client, cache, "?module=M2")
    assert not hit(client, cache, "?city=bandung")
    assert item(client, ts.id, "?city=bandung")["capacity"] == 9


def test_a_write_touching_two_sessions_drops_every_page(client, build, db, cache):
    _provider, course, ts = build.world()
    other = build.session(course, city="Surabaya", province_code="35")
    ids(client, "?module=M2")
    with db.transaction() as session:
        for session_id in (ts.id, other.id):
            session.get(TrainingSession, session_id).venue_address = "Gedung Baru"
    assert not hit(client, cache, "?module=M2")
    assert {i["venue_address"] for i in client.get("/sessions").json["items"]} == {"Gedung Baru"}
