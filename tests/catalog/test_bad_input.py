"""Bad input is refused with a 4xx problem naming each field, and nothing is written:
no row, no outbox row."""

import pytest

from services.catalog.models import Course, Provider, TrainingSession
from tests.catalog.builders import course_body, days, provider_body, session_body
from tests.catalog.conftest import assert_problem, count_rows, outbox_types

LONG = "x" * 5001

PROVIDER_CASES = [
    ("npwp", "12.345", 422),
    ("npwp", "0123456789", 422),
    ("npwp", "01.234.567.8-901", 422),
    ("npwp", 1234567890123456, 422),
    ("legal_name", "", 422),
    ("legal_name", "N" * 201, 422),
    ("email", "not-an-email", 422),
    ("phone", "call me", 422),
    ("address", "a" * 501, 422),
    ("provinces_served", [], 422),
    ("provinces_served", ["99"], 422),
    ("provinces_served", ["31", "ID-XX"], 422),
    ("website", "ftp://provider.example", 422),
    ("description", "d" * 4001, 422),
]


@pytest.mark.parametrize(("field", "value", "status"), PROVIDER_CASES)
def test_a_bad_registration_is_refused(client, db, auth, field, value, status):
    body = provider_body(**{field: value})
    r = client.post("/providers", json=body, headers=auth("provider_staff"))
    assert_problem(r, status, field)
    assert count_rows(db, Provider) == 0
    assert outbox_types(db) == []


def test_a_registration_with_unknown_fields_or_no_body_is_refused(client, db, auth):
    new = auth("provider_staff")
    assert_problem(client.post("/providers", json={**provider_body(), "status": "approved"},
                               headers=new), 422, "status")
    assert_problem(client.post("/providers", json=[], headers=new), 422)
    assert client.post("/providers", data="{oops", content_type="application/json",
                       headers=new).status_code == 400
    assert count_rows(db, Provider) == 0


def test_a_second_registration_with_the_same_npwp_is_a_conflict(client, db, auth):
    first = provider_body(npwp="01.234.567.8-901.234")
    assert client.post("/providers", json=first, headers=auth("provider_staff")).status_code \
        == 201
    events = outbox_types(db)
    again = provider_body(npwp="0012345678901234")  # the same taxpayer, 16-digit form
    assert_problem(client.post("/providers", json=again,
                               headers=auth("provider_staff", subject="u2")), 409, "npwp")
    assert count_rows(db, Provider) == 1
    assert outbox_types(db) == events


COURSE_CASES = [
    ("module_code", "M9", 422),
    ("module_code", "", 422),
    ("title_id", "T" * 201, 422),
    ("title_en", "", 422),
    ("description_en", LONG, 422),
    ("language", "jv", 422),
    ("classroom_days", 0, 422),
    ("consultancy_visits", -1, 422),
    ("price_per_participant", -1, 422),
    ("price_per_participant", 1500.5, 422),
    ("price_per_participant", "2500000", 422),
    ("max_participants_per_enterprise", 0, 422),
]


@pytest.mark.parametrize(("field", "value", "status"), COURSE_CASES)
def test_a_bad_course_is_refused(client, db, build, staff, field, value, status):
    provider = build.provider()
    before = outbox_types(db)
    r = client.post(f"/providers/{provider.id}/courses", json=course_body(**{field: value}),
                    headers=staff(provider.id))
    assert_problem(r, status, field)
    assert count_rows(db, Course) == 0
    assert outbox_types(db) == before


@pytest.mark.parametrize("field", ["title_id", "title_en"])
def test_a_duplicate_course_title_for_the_same_provider_and_module_is_refused(
        client, db, build, staff, field):
    provider = build.provider()
    first = build.course(provider, "draft", title_id="Kerja Sama A", title_en="Cooperation A")
    before = outbox_types(db)
    body = course_body(**{field: getattr(first, field).upper()})
    assert_problem(client.post(f"/providers/{provider.id}/courses", json=body,
                               headers=staff(provider.id)), 409, field)
    assert count_rows(db, Course) == 1
    assert outbox_types(db) == before


def test_the_same_title_is_fine_for_another_module_or_provider(client, build, staff):
    provider, other = build.provider(), build.provider()
    build.course(provider, "draft", title_id="Judul", title_en="Title")
    same = {"title_id": "Judul", "title_en": "Title"}
    assert client.post(f"/providers/{provider.id}/courses",
                       json=course_body(module_code="M2", **same),
                       headers=staff(provider.id)).status_code == 201
    assert client.post(f"/providers/{other.id}/courses", json=course_body(**same),
                       headers=staff(other.id)).status_code == 201


def test_renaming_a_course_onto_another_title_is_refused(client, db, build, staff):
    provider = build.provider()
    build.course(provider, "published", title_en="Cooperation A")
    second = build.course(provider, "published", title_en="Cooperation B")
    before = outbox_types(db)
    r = client.patch(f"/courses/{second.id}", json={"title_en": "cooperation a"},
                     headers=staff(provider.id))
    assert_problem(r, 409, "title_en")
    assert outbox_types(db) == before


SESSION_CASES = [
    ({"end_date": days(29).isoformat()}, 422, "end_date"),
    ({"enrolment_deadline": days(31).isoformat()}, 422, "enrolment_deadline"),
    ({"start_date": "2026-02-30"}, 422, "start_date"),
    ({"start_date": "next monday"}, 422, "start_date"),
    ({"capacity": 0}, 422, "capacity"),
    ({"capacity": -5}, 422, "capacity"),
    ({"capacity": 501}, 422, "capacity"),
    ({"estimated_delivery_cost": -1}, 422, "estimated_delivery_cost"),
    ({"province_code": "93"}, 422, "province_code"),
    ({"province_code": "ID-ZZ"}, 422, "province_code"),
    ({"city": "C" * 101}, 422, "city"),
    ({"venue_address": "V" * 501}, 422, "venue_address"),
    ({"course_id": "no-such-course"}, 422, "course_id"),
    ({"trainers": [{"trainer_id": "t", "role": "boss"}]}, 422, "trainers"),
    ({"trainers": [{"trainer_id": "t", "role": "lead"}, {"trainer_id": "u", "role": "lead"}]},
     422, "trainers"),
    ({"trainers": [{"trainer_id": "t", "role": "lead"}, {"trainer_id": "t", "role": "co"}]},
     422, "trainers"),
    ({"ilo_supervised": 1}, 422, "ilo_supervised"),
    ({"ilo_supervised": "yes"}, 422, "ilo_supervised"),
]


@pytest.mark.parametrize(("changes", "status", "field"), SESSION_CASES)
def test_a_bad_session_is_refused(client, db, build, staff, changes, status, field):
    provider = build.provider()
    course = build.course(provider)
    before = outbox_types(db)
    body = {**session_body(course.id), **changes}
    r = client.post(f"/providers/{provider.id}/sessions", json=body, headers=staff(provider.id))
    assert_problem(r, status, field)
    assert count_rows(db, TrainingSession) == 0
    assert outbox_types(db) == before


def test_a_session_of_another_providers_course_is_refused(client, db, build, staff):
    mine, theirs = build.provider(), build.provider()
    foreign_course = build.course(theirs)
    r = client.post(f"/providers/{mine.id}/sessions", json=session_body(foreign_course.id),
                    headers=staff(mine.id))
    assert_problem(r, 422, "course_id")
    assert count_rows(db, TrainingSession) == 0


@pytest.mark.parametrize(("changes", "field"), [
    ({"end_date": days(10).isoformat()}, "end_date"),
    ({"start_date": days(-1).isoformat()}, "start_date"),
    ({"enrolment_deadline": days(-1).isoformat()}, "enrolment_deadline"),
    ({"capacity": 0}, "capacity"),
    ({"province_code": "00"}, "province_code"),
    ({"trainers": []}, "trainers"),
])
def test_a_bad_change_to_a_published_session_is_refused(client, db, build, staff, changes,
                                                        field):
    _p, _c, ts = build.world()
    before = outbox_types(db)
    r = client.patch(f"/sessions/{ts.id}", json=changes, headers=staff(ts.provider_id))
    assert_problem(r, 422, field)
    assert outbox_types(db) == before
    assert client.get(f"/sessions/{ts.id}").json["capacity"] == ts.capacity


def test_course_and_module_of_existing_rows_cannot_be_changed(client, build, staff):
    _p, course, ts = build.world()
    own = staff(course.provider_id)
    assert_problem(client.patch(f"/courses/{course.id}", json={"module_code": "M2"},
                                headers=own), 422, "module_code")
    assert_problem(client.patch(f"/sessions/{ts.id}", json={"course_id": course.id},
                                headers=own), 422, "course_id")
