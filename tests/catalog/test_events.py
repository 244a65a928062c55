"""Every state change publishes its event in the same transaction: a CloudEvent on
``score.catalog`` whose subject is the entity id, with ``providerid`` set and a payload
that matches the declared schema exactly."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.catalog import events
from shared.events import EventEnvelope
from shared.events.tables import outbox
from tests.catalog.builders import course_body, days, provider_body, session_body


def published(db) -> list[tuple[dict, EventEnvelope]]:
    """Outbox rows (topic, key) with their parsed envelopes, oldest first."""
    with db.reading() as session:
        rows = session.execute(select(outbox).order_by(outbox.c.id)).all()
    return [({"topic": r.topic, "key": r.key}, EventEnvelope.from_bytes(r.payload))
            for r in rows]


def last_event(db, event_type: str) -> EventEnvelope:
    """The newest event of ``event_type``, checked against its declared schema."""
    row, envelope = [(r, e) for r, e in published(db) if e.type == event_type][-1]
    declared = events.EVENTS[event_type]
    assert row == {"topic": "score.catalog", "key": envelope.subject}
    assert envelope.source == "/score/catalog"
    assert declared.validate(envelope.data) == envelope.data  # exact: no extra, none missing
    assert envelope.providerid == envelope.data["provider_id"]
    return envelope


def test_registration_announces_the_provider_and_who_registered_it(client, db, auth):
    r = client.post("/providers", json=provider_body(provinces_served=["ID-JB", "31"]),
                    headers=auth("provider_staff", subject="user-42"))
    event = last_event(db, "score.catalog.provider.registered.v1")
    assert event.subject == r.json["id"]
    assert event.data["registered_by"] == "user-42"
    assert event.data["provinces_served"] == ["31", "32"]
    assert event.data["status"] == "pending"


@pytest.mark.parametrize(("command", "event_type", "body", "status"), [
    ("approve", "provider.approved", {"reason": "checked"}, "approved"),
    ("suspend", "provider.suspended", {"reason": "complaints"}, "suspended"),
])
def test_approval_and_suspension_announce_status_and_reason(client, db, build, admin,
                                                            command, event_type, body, status):
    provider = build.provider("pending" if command == "approve" else "approved")
    client.post(f"/providers/{provider.id}/{command}", json=body, headers=admin)
    event = last_event(db, f"score.catalog.{event_type}.v1")
    assert (event.subject, event.data["status"]) == (provider.id, status)
    assert event.data["reason"] == body["reason"]
    assert event.data["changed_by"] == "admin-1"


def test_a_profile_change_is_announced(client, db, build, staff):
    provider = build.provider()
    client.patch(f"/providers/{provider.id}", json={"provinces_served": ["35"]},
                 headers=staff(provider.id))
    assert last_event(db, "score.catalog.provider.updated.v1").data["provinces_served"] == \
        ["35"]


@pytest.mark.parametrize(("path", "event_type", "state", "body"), [
    ("publish", "course.published", "draft", None),
    ("archive", "course.archived", "published", None),
    ("", "course.updated", "published", {"price_per_participant": 3_100_000}),
])
def test_course_changes_are_announced_with_the_whole_course(client, db, build, staff, path,
                                                             event_type, state, body):
    course = build.course(build.provider(), state, **course_body(module_code="M4"))
    url = f"/courses/{course.id}" + (f"/{path}" if path else "")
    r = client.open(url, method="PATCH" if body else "POST", json=body,
                    headers=staff(course.provider_id))
    assert r.status_code == 200, r.json
    event = last_event(db, f"score.catalog.{event_type}.v1")
    assert event.subject == course.id
    assert event.data["module_code"] == "M4"
    assert event.data["status"] == r.json["status"]
    assert event.data["price_per_participant"] == r.json["price_per_participant"]


SESSION_COMMANDS = [
    ("publish", "session.published", "draft", None),
    ("start", "session.started", "published", None),
    ("complete", "session.completed", "in_progress", None),
    ("cancel", "session.cancelled", "published", {"reason": "trainer unavailable"}),
    ("", "session.updated", "published", {"capacity": 22, "city": "Cimahi"}),
]


@pytest.mark.parametrize(("path", "event_type", "state", "body"), SESSION_COMMANDS)
def test_session_changes_carry_what_consumers_need(client, db, build, staff, path,
                                                   event_type, state, body):
    provider = build.provider()
    course = build.course(provider, module_code="M5", price_per_participant=1_750_000)
    today = days(0).isoformat()
    ts = build.session(course, state, start_date=today, end_date=today,
                       enrolment_deadline=today)
    url = f"/sessions/{ts.id}" + (f"/{path}" if path else "")
    r = client.open(url, method="PATCH" if path == "" else "POST", json=body,
                    headers=staff(provider.id))
    assert r.status_code == 200, r.json
    data = last_event(db, f"score.catalog.{event_type}.v1").data
    assert data["session_id"] == ts.id
    assert (data["provider_id"], data["course_id"], data["module_code"]) == (
        provider.id, course.id, "M5")
    assert (data["title_id"], data["title_en"]) == (course.title_id, course.title_en)
    assert data["start_date"] == data["end_date"] == data["enrolment_deadline"] == today
    assert (data["city"], data["province_code"]) == (r.json["city"], "32")
    assert data["capacity"] == r.json["capacity"]
    assert data["price_per_participant"] == 1_750_000
    assert data["trainers"] == r.json["trainers"]
    assert data["ilo_supervised"] is True
    assert data["estimated_delivery_cost"] == 45_000_000
    assert data["status"] == r.json["status"]
    assert data["reason"] == (body or {}).get("reason")


def test_drafts_are_private_until_published(client, db, build, staff):
    provider = build.provider()
    before = len(published(db))
    course = client.post(f"/providers/{provider.id}/courses", json=course_body(),
                         headers=staff(provider.id)).json
    client.patch(f"/courses/{course['id']}", json={"classroom_days": 3},
                 headers=staff(provider.id))
    client.post(f"/providers/{provider.id}/sessions", json=session_body(course["id"]),
                headers=staff(provider.id))
    assert len(published(db)) == before


def test_an_edit_that_changes_nothing_announces_nothing(client, db, build, staff):
    _p, course, ts = build.world()
    before = len(published(db))
    own = staff(course.provider_id)
    client.patch(f"/courses/{course.id}", json={"language": course.language}, headers=own)
    client.patch(f"/sessions/{ts.id}", json={"capacity": ts.capacity}, headers=own)
    assert len(published(db)) == before


def test_every_declared_event_type_is_exercised_by_these_tests():
    exercised = {"provider.registered", "provider.updated", "provider.approved",
                 "provider.suspended"} | {c[1] for c in SESSION_COMMANDS} | {
        "course.published", "course.archived", "course.updated"}
    assert {f"score.catalog.{name}.v1" for name in exercised} == {t.type for t in events.EVENTS}

