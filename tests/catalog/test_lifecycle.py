"""Lifecycles: every state × every action of each table, directly (pure, all pairs); through
HTTP a sample proving the wiring – an allowed command changes state and emits its event,
a refused one is 409 ``invalid-transition`` and changes nothing (no row, no event)."""

import pytest

from services.catalog import lifecycle, service
from tests.catalog.builders import ADMIN, days
from tests.catalog.conftest import assert_problem, outbox_types
from tests.support.lifecycles import lifecycle_table_tests

CATALOG = "score.catalog."

# The specification, written out: (state, action) -> next state. Every other pair is refused.
PROVIDER_MOVES = {("pending", "approve"): "approved", ("pending", "update"): "pending",
                  ("approved", "suspend"): "suspended", ("approved", "update"): "approved",
                  ("suspended", "approve"): "approved", ("suspended", "update"): "suspended"}
COURSE_MOVES = {("draft", "publish"): "published", ("draft", "archive"): "archived",
                ("draft", "update"): "draft", ("published", "archive"): "archived",
                ("published", "update"): "published"}
SESSION_MOVES = {("draft", "publish"): "published", ("draft", "cancel"): "cancelled",
                 ("draft", "update"): "draft", ("published", "start"): "in_progress",
                 ("published", "cancel"): "cancelled", ("published", "update"): "published",
                 ("in_progress", "complete"): "completed",
                 ("in_progress", "cancel"): "cancelled"}
TABLES = [(lifecycle.PROVIDER, PROVIDER_MOVES, ["pending", "approved", "suspended"]),
          (lifecycle.COURSE, COURSE_MOVES, ["draft", "published", "archived"]),
          (lifecycle.SESSION, SESSION_MOVES,
           ["draft", "published", "in_progress", "cancelled", "completed"])]
(test_each_lifecycle_has_exactly_the_specified_states_and_actions,
 test_every_state_allows_exactly_the_specified_actions) = lifecycle_table_tests(TABLES)


# action -> (method, path, body, who)
PROVIDER_COMMANDS = {
    "approve": ("POST", "/providers/{id}/approve", {"reason": "documents checked"}, "admin"),
    "suspend": ("POST", "/providers/{id}/suspend", {"reason": "complaints under review"},
                "admin"),
    "update": ("PATCH", "/providers/{id}", {"phone": "+62 22 555 0199"}, "staff"),
}
COURSE_COMMANDS = {
    "publish": ("POST", "/courses/{id}/publish", None, "staff"),
    "archive": ("POST", "/courses/{id}/archive", None, "staff"),
    "update": ("PATCH", "/courses/{id}", {"price_per_participant": 3_000_000}, "staff"),
}
SESSION_COMMANDS = {
    "publish": ("POST", "/sessions/{id}/publish", None, "staff"),
    "start": ("POST", "/sessions/{id}/start", None, "staff"),
    "complete": ("POST", "/sessions/{id}/complete", None, "staff"),
    "cancel": ("POST", "/sessions/{id}/cancel", {"reason": "trainer ill"}, "staff"),
    "update": ("PATCH", "/sessions/{id}", {"capacity": 25}, "staff"),
}
# (state, action) -> event type emitted (None: allowed but private, no event)
PROVIDER_EVENTS = {("pending", "approve"): "provider.approved.v1",
                   ("suspended", "approve"): "provider.approved.v1",
                   ("approved", "suspend"): "provider.suspended.v1",
                   **{(s, "update"): "provider.updated.v1" for s in lifecycle.PROVIDER.states}}
COURSE_EVENTS = {("draft", "publish"): "course.published.v1",
                 ("draft", "archive"): "course.archived.v1",
                 ("published", "archive"): "course.archived.v1",
                 ("draft", "update"): None, ("published", "update"): "course.updated.v1"}
SESSION_EVENTS = {("draft", "publish"): "session.published.v1",
                  ("draft", "cancel"): "session.cancelled.v1",
                  ("published", "start"): "session.started.v1",
                  ("published", "cancel"): "session.cancelled.v1",
                  ("in_progress", "complete"): "session.completed.v1",
                  ("in_progress", "cancel"): "session.cancelled.v1",
                  ("draft", "update"): None, ("published", "update"): "session.updated.v1"}


def _call(client, command, entity_id, headers):
    method, path, body, _who = command
    return client.open(path.format(id=entity_id), method=method, json=body, headers=headers)


def _check(client, db, response, auditor_path, state, events_before, expected):
    allowed, event = expected
    if allowed:
        assert response.status_code == 200, response.json
        new = outbox_types(db)[len(events_before):]
        assert new == ([CATALOG + event] if event else [])
    else:
        body = assert_problem(response, 409, "status")
        assert body["type"].endswith("/invalid-transition")
        assert outbox_types(db) == events_before
        assert client.get(auditor_path[0], headers=auditor_path[1]).json["status"] == state


# Through HTTP, a sample: allowed with and without an event, and refused, for each entity.
PROVIDER_SAMPLE = [("suspended", "approve"), ("pending", "suspend")]
COURSE_SAMPLE = [("draft", "update"), ("published", "update"), ("archived", "publish")]
SESSION_SAMPLE = [("published", "start"), ("in_progress", "update"), ("completed", "cancel")]


@pytest.mark.parametrize(("state", "action"), PROVIDER_SAMPLE)
def test_provider_commands_through_http(client, db, build, staff, admin, auditor, state,
                                        action):
    provider = build.provider(state)
    command = PROVIDER_COMMANDS[action]
    headers = admin if command[3] == "admin" else staff(provider.id)
    before = outbox_types(db)
    response = _call(client, command, provider.id, headers)
    expected = ((state, action) in PROVIDER_MOVES, PROVIDER_EVENTS.get((state, action)))
    _check(client, db, response, (f"/providers/{provider.id}", auditor), state, before,
           expected)


@pytest.mark.parametrize(("state", "action"), COURSE_SAMPLE)
def test_course_commands_through_http(client, db, build, staff, auditor, state, action):
    course = build.course(build.provider(), state)
    before = outbox_types(db)
    response = _call(client, COURSE_COMMANDS[action], course.id, staff(course.provider_id))
    expected = ((state, action) in COURSE_MOVES, COURSE_EVENTS.get((state, action)))
    _check(client, db, response, (f"/courses/{course.id}", auditor), state, before, expected)


@pytest.mark.parametrize(("state", "action"), SESSION_SAMPLE)
def test_session_commands_through_http(client, db, build, staff, auditor, state, action):
    # Sessions of one day, today: every date rule allows every transition.
    today = days(0).isoformat()
    ts = build.session(build.course(build.provider()), state, start_date=today,
                       end_date=today, enrolment_deadline=today)
    before = outbox_types(db)
    response = _call(client, SESSION_COMMANDS[action], ts.id, staff(ts.provider_id))
    expected = ((state, action) in SESSION_MOVES, SESSION_EVENTS.get((state, action)))
    _check(client, db, response, (f"/sessions/{ts.id}", auditor), state, before, expected)


def test_a_suspended_provider_is_approved_again_and_its_sessions_return_to_search(
        client, build, admin):
    provider, _course, ts = build.world()
    assert [i["id"] for i in client.get("/sessions").json["items"]] == [ts.id]
    r = client.post(f"/providers/{provider.id}/suspend", json={"reason": "audit"},
                    headers=admin)
    assert r.json["status"] == "suspended"
    assert r.json["status_reason"] == "audit"
    assert client.get("/sessions").json["items"] == []
    assert client.get(f"/sessions/{ts.id}").status_code == 404
    r = client.post(f"/providers/{provider.id}/approve", json={"reason": "resolved"},
                    headers=admin)
    assert r.json["status"] == "approved"
    assert [i["id"] for i in client.get("/sessions").json["items"]] == [ts.id]


def test_suspension_needs_a_reason(client, db, build, admin):
    provider = build.provider()
    before = outbox_types(db)
    assert_problem(client.post(f"/providers/{provider.id}/suspend", json={}, headers=admin),
                   422, "reason")
    assert_problem(client.post(f"/providers/{provider.id}/suspend", json={"reason": " "},
                               headers=admin), 422, "reason")
    assert outbox_types(db) == before


@pytest.mark.parametrize("provider_state", ["pending", "suspended"])
def test_only_approved_providers_publish_courses(client, db, build, staff, provider_state):
    provider = build.provider("approved" if provider_state == "suspended" else "pending")
    course = build.course(provider, "draft")
    if provider_state == "suspended":
        service.suspend_provider(db, ADMIN, provider.id, "audit findings")
    before = outbox_types(db)
    r = client.post(f"/courses/{course.id}/publish", headers=staff(provider.id))
    assert_problem(r, 409, "provider")
    assert outbox_types(db) == before


def test_only_approved_providers_publish_sessions(client, db, build, staff):
    provider = build.provider()
    ts = build.session(build.course(provider), "draft")
    service.suspend_provider(db, ADMIN, provider.id, "audit findings")
    before = outbox_types(db)
    assert_problem(client.post(f"/sessions/{ts.id}/publish", headers=staff(provider.id)),
                   409, "provider")
    assert outbox_types(db) == before


@pytest.mark.parametrize("course_state", ["draft", "archived"])
def test_a_session_of_an_unpublished_course_cannot_be_published(
        client, db, build, staff, course_state):
    provider = build.provider()
    course = build.course(provider, "draft" if course_state == "draft" else "published")
    ts = build.session(course, "draft")
    if course_state == "archived":
        service.archive_course(db, build.staff(provider.id), course.id)
    before = outbox_types(db)
    assert_problem(client.post(f"/sessions/{ts.id}/publish", headers=staff(provider.id)),
                   409, "course_id")
    assert outbox_types(db) == before


@pytest.mark.parametrize(("days_later", "bad_fields"), [
    (2, {"enrolment_deadline"}),  # deadline (day 1) passed, start (day 2) is today
    (3, {"start_date", "enrolment_deadline"}),  # start (day 2) is in the past
])
def test_publishing_a_session_in_the_past_is_refused(client, db, build, staff, clock,
                                                     days_later, bad_fields):
    ts = build.session(build.course(build.provider()), "draft",
                       start_date=days(2).isoformat(), end_date=days(3).isoformat(),
                       enrolment_deadline=days(1).isoformat())
    clock.move_to(days(days_later))
    before = outbox_types(db)
    body = assert_problem(client.post(f"/sessions/{ts.id}/publish",
                                      headers=staff(ts.provider_id)), 422, *bad_fields)
    assert set(body["errors"]) == bad_fields
    assert outbox_types(db) == before


def test_a_session_starts_on_its_start_date_and_completes_on_its_end_date(
        client, build, staff, clock):
    ts = build.session(build.course(build.provider()), "published",
                       start_date=days(10).isoformat(), end_date=days(11).isoformat(),
                       enrolment_deadline=days(3).isoformat())
    own = staff(ts.provider_id)
    assert_problem(client.post(f"/sessions/{ts.id}/start", headers=own), 409, "start_date")
    day_10, day_11 = days(10), days(11)
    clock.move_to(day_10)
    assert client.post(f"/sessions/{ts.id}/start", headers=own).json["status"] == "in_progress"
    assert_problem(client.post(f"/sessions/{ts.id}/complete", headers=own), 409, "end_date")
    clock.move_to(day_11)
    assert client.post(f"/sessions/{ts.id}/complete", headers=own).json["status"] == "completed"
    r = client.post(f"/sessions/{ts.id}/cancel", json={"reason": "too late"}, headers=own)
    assert_problem(r, 409, "status")


def test_a_cancelled_session_records_its_reason(client, build, staff):
    _p, _c, ts = build.world()
    r = client.post(f"/sessions/{ts.id}/cancel", json={"reason": "venue flooded"},
                    headers=staff(ts.provider_id))
    assert r.json["status"] == "cancelled"
    assert r.json["cancel_reason"] == "venue flooded"
