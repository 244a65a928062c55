"""Hostile requests to the catalog: a 4xx problem each, nothing written, nothing changed."""

from __future__ import annotations

import json

import pytest

from services.catalog.models import Course, Provider, TrainingSession
from tests.catalog.builders import course_body, provider_body, session_body
from tests.catalog.conftest import assert_problem, count_rows, outbox_types

NUL = "must not contain NUL characters"


def raw_json(body: dict, replace: tuple[str, str]) -> bytes:
    """``body`` as JSON text with one fragment replaced (to smuggle in escapes)."""
    return json.dumps(body).replace(*replace).encode()


@pytest.mark.parametrize("field", ["legal_name", "contact_name", "address", "description"])
def test_a_lone_surrogate_in_a_registration_is_a_400(client, db, auth, field):
    body = provider_body(**{field: "MARK the provider"})
    response = client.post("/providers", data=raw_json(body, ("MARK", "\\ud800")),
                           content_type="application/json", headers=auth("provider_staff"))
    assert "surrogate" in assert_problem(response, 400)["detail"]
    assert count_rows(db, Provider) == 0 and outbox_types(db) == []


def test_a_lone_surrogate_in_a_course_edit_changes_nothing(client, db, build, staff):
    course = build.course(build.provider())
    before = outbox_types(db)
    response = client.patch(f"/courses/{course.id}", headers=staff(course.provider_id),
                            data=b'{"title_en": "New \\udfff title"}',
                            content_type="application/json")
    assert_problem(response, 400)
    assert client.get(f"/courses/{course.id}").json["title_en"] == course.title_en
    assert outbox_types(db) == before


def test_json_nested_100000_deep_is_a_400(client, db, auth):
    body = b'{"legal_name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = client.post("/providers", data=body, content_type="application/json",
                           headers=auth("provider_staff"))
    assert_problem(response, 400)
    assert count_rows(db, Provider) == 0


@pytest.mark.parametrize("field", ["legal_name", "email", "phone", "address", "website"])
def test_a_nul_character_in_a_registration_is_a_422_naming_the_field(client, db, auth, field):
    value = provider_body()[field] + "\x00"
    response = client.post("/providers", json=provider_body(**{field: value}),
                           headers=auth("provider_staff"))
    assert assert_problem(response, 422, field)["errors"][field] == [NUL]
    assert count_rows(db, Provider) == 0 and outbox_types(db) == []


def test_a_nul_character_in_a_list_item_names_its_place(client, db, build, staff):
    course = build.course(build.provider())
    body = session_body(course.id, trainers=[{"trainer_id": "t-1", "role": "lead"},
                                             {"trainer_id": "t-2\x00", "role": "co"}])
    response = client.post(f"/providers/{course.provider_id}/sessions", json=body,
                           headers=staff(course.provider_id))
    assert assert_problem(response, 422)["errors"] == {"trainers": {"1": {"trainer_id": [NUL]}}}
    assert count_rows(db, TrainingSession) == 0


@pytest.mark.parametrize("path", ["/providers/a%00b", "/courses/%00", "/sessions/x%00"])
def test_a_nul_character_in_a_path_segment_is_a_400(client, path):
    assert_problem(client.get(path), 400)


@pytest.mark.parametrize("query", ["q=work%00shop", "city=Band%00ung", "cursor=%00abc",
                                   "province=3%002"])
def test_a_nul_character_in_a_search_is_a_400_naming_the_parameter(client, query):
    response = client.get(f"/sessions?{query}")
    assert assert_problem(response, 400)["errors"] == {query.partition("=")[0]: [NUL]}


@pytest.mark.parametrize("url", ["/sessions?q=%ED%A0%80%ED%A0%80", "/sessions?city=%FF%FE",
                                 "/providers/%ED%A0%80", "/courses/%C0%80"])
def test_bytes_that_are_not_utf8_in_a_url_are_never_a_server_error(client, url):
    response = client.get(url)
    assert response.status_code in (200, 400, 404)


@pytest.mark.parametrize("query", [
    "limit=9223372036854775807", "limit=99999999999999999999999", "limit=0",
    "price_min=9223372036854775807", "price_max=-9223372036854775809",
])
def test_every_integer_search_parameter_is_bounded(client, query):
    response = client.get(f"/sessions?{query}")
    assert set(assert_problem(response, 400)["errors"]) == {query.partition("=")[0]}


def test_a_providers_session_list_limit_is_bounded(client, build):
    provider = build.provider()
    response = client.get(f"/providers/{provider.id}/sessions?limit=9223372036854775807")
    assert set(assert_problem(response, 400)["errors"]) == {"limit"}


@pytest.mark.parametrize("field", ["classroom_days", "consultancy_visits",
                                   "price_per_participant", "max_participants_per_enterprise"])
def test_every_integer_of_a_course_is_bounded(client, db, build, staff, field):
    provider = build.provider()
    response = client.post(f"/providers/{provider.id}/courses", headers=staff(provider.id),
                           json=course_body(**{field: 2**63}))
    assert_problem(response, 422, field)
    assert count_rows(db, Course) == 0


@pytest.mark.parametrize("field", ["capacity", "estimated_delivery_cost"])
def test_every_integer_of_a_session_is_bounded(client, db, build, staff, field):
    course = build.course(build.provider())
    response = client.post(f"/providers/{course.provider_id}/sessions",
                           headers=staff(course.provider_id),
                           json=session_body(course.id, **{field: 2**63}))
    assert_problem(response, 422, field)
    assert count_rows(db, TrainingSession) == 0


@pytest.mark.parametrize(("data", "content_type"), [
    ("title_en=New title", "application/x-www-form-urlencoded"),
    ('{"title_en": "New title"}', "text/plain"),
])
def test_an_edit_that_is_not_json_is_a_415_and_changes_nothing(client, db, build, staff, data,
                                                               content_type):
    course = build.course(build.provider())
    before = outbox_types(db)
    response = client.patch(f"/courses/{course.id}", data=data, content_type=content_type,
                            headers=staff(course.provider_id))
    body = assert_problem(response, 415, "Content-Type")
    assert "application/json" in body["detail"]
    assert response.headers["Accept-Patch"] == "application/json"
    assert client.get(f"/courses/{course.id}").json["title_en"] == course.title_en
    assert outbox_types(db) == before


@pytest.mark.parametrize(("method", "path"), [
    ("post", "/providers"), ("post", "/providers/{provider}/courses"),
    ("post", "/providers/{provider}/sessions"), ("patch", "/providers/{provider}"),
    ("post", "/providers/{provider}/suspend"), ("post", "/sessions/{session}/cancel"),
    ("patch", "/sessions/{session}"),
])
def test_every_json_endpoint_answers_a_form_body_with_415(client, db, build, auth, method,
                                                          path):
    provider, _course, session = build.world()
    url = path.format(provider=provider.id, session=session.id)
    before = outbox_types(db)
    response = getattr(client, method)(url, data={"reason": "form body"},
                                       headers=auth("provider_staff", provider.id, "provider"))
    assert_problem(response, 415)
    assert outbox_types(db) == before


def test_a_command_without_a_body_still_needs_none(client, build, admin):
    provider = build.provider(status="pending")
    assert client.post(f"/providers/{provider.id}/approve", headers=admin).status_code == 200
