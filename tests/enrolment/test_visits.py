"""Consultancy visits: scheduled with a session's trainer, rescheduled, recorded, cancelled."""

from __future__ import annotations

import datetime as dt

import pytest

from shared import clock as shared_clock
from tests.enrolment.builders import days
from tests.enrolment.delivery import PROVIDER, TRAINERS, enrolled_team, published_events


@pytest.fixture
def course(catalog):
    """A published session a month ahead whose course asks for two visits."""
    return catalog.session(provider_id=PROVIDER, trainers=TRAINERS, consultancy_visits=2,
                           start_date=days(30), end_date=days(31))


@pytest.fixture
def staff(auth):
    return auth("provider_staff", PROVIDER, "provider", subject="staff-1")


@pytest.fixture
def trainer(auth):
    return auth("trainer", subject="trainer-2")


@pytest.fixture
def team(client, db, policy, auth, course):
    return enrolled_team(client, db, policy, auth, course["session_id"], size=4)


def plan(client, headers, team, on: dt.date, trainer_id="trainer-1"):
    return client.post(f"/enrolments/{team.enrolment_id}/visits",
                       json={"scheduled_on": on.isoformat(), "trainer_id": trainer_id},
                       headers=headers)


def record_body(team, on: dt.date, **changes) -> dict:
    return {"visited_on": on.isoformat(), "duration_minutes": 180,
            "topics": ["Kerja sama tim", "5S di lantai produksi"],
            "members_present": team.participants[:2],
            "actions_agreed": ["Rapat tim perbaikan setiap Senin"], **changes}


def test_staff_schedule_a_visit_with_one_of_the_sessions_trainers(client, staff, team, course):
    response = plan(client, staff, team, course["start_date"] + dt.timedelta(days=14))
    assert response.status_code == 201, response.json
    visit = response.json
    assert (visit["status"], visit["trainer_id"], visit["sme_id"]) == (
        "scheduled", "trainer-1", team.sme_id)
    assert response.headers["Location"].endswith(f"/visits/{visit['id']}")


@pytest.mark.parametrize(("trainer_id", "offset", "field"), [
    ("trainer-9", 14, "trainer_id"), ("trainer-1", -40, "scheduled_on"),
])
def test_a_visit_needs_a_trainer_of_the_session_and_a_date_after_its_start(
        client, staff, team, course, trainer_id, offset, field):
    response = plan(client, staff, team, course["start_date"] + dt.timedelta(days=offset),
                    trainer_id)
    assert response.status_code == 422 and field in response.json["errors"]


def test_a_trainer_records_a_visit_and_its_progress_is_announced(
        client, db, staff, trainer, team, course, clock):
    visit = plan(client, trainer, team, course["start_date"] + dt.timedelta(days=7)).json
    clock.move_to(course["start_date"] + dt.timedelta(days=8))
    response = client.post(f"/visits/{visit['id']}/record",
                           json=record_body(team, shared_clock.today()), headers=trainer)
    assert response.status_code == 200, response.json
    recorded = response.json
    assert recorded["status"] == "recorded" and recorded["duration_minutes"] == 180
    assert recorded["members_present"] == sorted(team.participants[:2])
    assert recorded["recorded_by"] == "trainer-2"
    (event,) = published_events(db, "visit.recorded")
    assert (event["visits_recorded"], event["visits_required"], event["members_present"]) == (
        1, 2, 2)
    assert event["module_code"] == "M1" and event["trainer_id"] == "trainer-1"
    progress = client.get(f"/enrolments/{team.enrolment_id}/visits", headers=team.sme).json
    assert (progress["visits_recorded"], progress["visits_required"]) == (1, 2)
    assert [v["id"] for v in progress["items"]] == [visit["id"]]


def test_a_visit_is_recorded_once_it_took_place_with_members_of_the_team(
        client, db, staff, team, course, clock):
    visit = plan(client, staff, team, course["start_date"]).json
    clock.move_to(course["start_date"])
    url = f"/visits/{visit['id']}/record"
    tomorrow = shared_clock.today() + dt.timedelta(days=1)
    assert client.post(url, json=record_body(team, tomorrow), headers=staff
                       ).json["errors"].keys() == {"visited_on"}
    stranger = record_body(team, shared_clock.today(), members_present=["someone-else"])
    assert client.post(url, json=stranger, headers=staff).json["errors"].keys() == {
        "members_present"}
    assert published_events(db, "visit.recorded") == []
    assert client.post(url, json=record_body(team, shared_clock.today()), headers=staff
                       ).status_code == 200
    assert client.post(url, json=record_body(team, shared_clock.today()), headers=staff
                       ).status_code == 409


def test_a_planned_visit_is_rescheduled_or_cancelled_but_a_recorded_one_stays(
        client, staff, team, course, clock):
    first = plan(client, staff, team, course["start_date"] + dt.timedelta(days=10)).json
    moved = client.patch(f"/visits/{first['id']}", headers=staff, json={
        "scheduled_on": (course["start_date"] + dt.timedelta(days=12)).isoformat(),
        "trainer_id": "trainer-2"})
    assert moved.status_code == 200
    assert (moved.json["scheduled_on"], moved.json["trainer_id"]) == (
        (course["start_date"] + dt.timedelta(days=12)).isoformat(), "trainer-2")
    cancelled = client.post(f"/visits/{first['id']}/cancel", json={"reason": "pabrik tutup"},
                            headers=staff)
    assert (cancelled.json["status"], cancelled.json["cancel_reason"]) == (
        "cancelled", "pabrik tutup")
    second = plan(client, staff, team, course["start_date"]).json
    clock.move_to(course["start_date"])
    client.post(f"/visits/{second['id']}/record", json=record_body(team, shared_clock.today()),
                headers=staff)
    assert client.post(f"/visits/{second['id']}/cancel", json={"reason": "salah"},
                       headers=staff).status_code == 409
    assert client.patch(f"/visits/{second['id']}", json={}, headers=staff).status_code == 409


def test_visits_belong_to_confirmed_teams_and_their_deliverers(
        client, db, policy, auth, staff, team, course):
    held = enrolled_team(client, db, policy, auth, course["session_id"], confirmed=False)
    assert plan(client, staff, held, course["start_date"]).status_code == 409
    assert plan(client, team.sme, team, course["start_date"]).status_code == 403
    other = auth("provider_staff", "prov-2", "provider")
    assert plan(client, other, team, course["start_date"]).status_code == 404
    visit = plan(client, staff, team, course["start_date"]).json
    assert client.get(f"/visits/{visit['id']}", headers=team.sme).status_code == 200
    assert client.get(f"/visits/{visit['id']}", headers=other).status_code == 404
    assert client.post(f"/visits/{visit['id']}/cancel", json={"reason": "tidak"},
                       headers=auth("trainer", subject="trainer-9")).status_code == 404


def test_a_retried_schedule_with_the_same_key_plans_one_visit(client, staff, team, course):
    headers = {**staff, "Idempotency-Key": "visit-1"}
    body = {"scheduled_on": course["start_date"].isoformat(), "trainer_id": "trainer-1"}
    first = client.post(f"/enrolments/{team.enrolment_id}/visits", json=body, headers=headers)
    again = client.post(f"/enrolments/{team.enrolment_id}/visits", json=body, headers=headers)
    assert first.json["id"] == again.json["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    listed = client.get(f"/enrolments/{team.enrolment_id}/visits", headers=staff).json
    assert len(listed["items"]) == 1
