"""Classroom attendance per participant and day, and the completion rule that closes it."""

from __future__ import annotations

import dataclasses

import pytest

from services.enrolment.models import Enrolment, OfferedSession
from services.enrolment.service import completion
from tests.enrolment.builders import days
from tests.enrolment.delivery import PROVIDER, TRAINERS, enrolled_team, published_events


@pytest.fixture
def course(catalog):
    """A published two-day session of provider prov-1 with two trainers."""
    return catalog.session(provider_id=PROVIDER, trainers=TRAINERS, classroom_days=2,
                           start_date=days(30), end_date=days(31))


@pytest.fixture
def staff(auth):
    return auth("provider_staff", PROVIDER, "provider", subject="staff-1")


@pytest.fixture
def trainer(auth):
    return auth("trainer", subject="trainer-1")


@pytest.fixture
def team(client, db, policy, auth, course):
    return enrolled_team(client, db, policy, auth, course["session_id"], size=3)


@pytest.fixture
def held(client, db, policy, auth, course):
    """Another team whose seats are held but not yet paid."""
    return enrolled_team(client, db, policy, auth, course["session_id"], confirmed=False)


@pytest.fixture
def started(clock, course):
    clock.move_to(course["start_date"])
    return clock


def put_day(client, headers, team, day, present):
    return client.put(f"/enrolments/{team.enrolment_id}/attendance/{day}",
                      json={"present": present}, headers=headers)


def marks(sheet) -> dict[str, list]:
    return {p["participant_id"]: [d["present"] for d in p["days"]] for p in sheet["participants"]}


def test_provider_staff_record_a_day_and_the_sheet_shows_who_was_there(
        client, db, staff, team, started):
    first, second, third = team.participants
    response = put_day(client, staff, team, 1, [first, second])
    assert response.status_code == 200, response.json
    sheet = response.json
    assert (sheet["classroom_days"], sheet["days_required"]) == (2, 2)
    assert marks(sheet) == {first: [True, None], second: [True, None], third: [False, None]}
    (event,) = published_events(db, "attendance.recorded")
    assert (event["day"], event["present"], event["absent"]) == (1, [first, second], [third])
    assert event["recorded_by"] == "staff-1"


def test_recording_a_day_again_overwrites_it_and_a_repeat_announces_nothing(
        client, db, staff, team, started):
    first, second, third = team.participants
    put_day(client, staff, team, 1, [first])
    assert marks(put_day(client, staff, team, 1, [first, third]).json)[third] == [True, None]
    again = put_day(client, staff, team, 1, [third, first, first])
    assert marks(again.json) == {first: [True, None], second: [False, None],
                                 third: [True, None]}
    assert len(published_events(db, "attendance.recorded")) == 2


def test_an_assigned_trainer_records_attendance_and_other_trainers_see_nothing(
        client, auth, trainer, team, started):
    assert put_day(client, trainer, team, 2, team.participants).status_code == 200
    stranger = auth("trainer", subject="trainer-9")
    assert put_day(client, stranger, team, 2, []).status_code == 404
    assert client.get(f"/enrolments/{team.enrolment_id}/attendance",
                      headers=stranger).status_code == 404


def test_the_sme_reads_its_sheet_but_records_nothing(client, staff, team, started):
    put_day(client, staff, team, 1, team.participants[:1])
    sheet = client.get(f"/enrolments/{team.enrolment_id}/attendance", headers=team.sme)
    assert sheet.status_code == 200 and sheet.json["participants"][0]["days"][0]["day"] == 1
    assert put_day(client, team.sme, team, 1, []).status_code == 403


def test_staff_of_another_provider_see_no_such_enrolment(client, auth, team, started):
    other = auth("provider_staff", "prov-2", "provider")
    assert put_day(client, other, team, 1, []).status_code == 404


@pytest.mark.parametrize(("day", "status"), [(3, 422), (0, 404), (11, 404)])
def test_a_day_outside_the_classroom_days_is_refused(client, staff, team, started, day,
                                                      status):
    response = put_day(client, staff, team, day, [])
    assert response.status_code == status
    if status == 422:
        assert "day" in response.json["errors"]


def test_attendance_is_recorded_once_the_session_has_started(client, db, staff, team):
    response = put_day(client, staff, team, 1, team.participants)
    assert response.status_code == 422 and "day" in response.json["errors"]
    assert published_events(db, "attendance.recorded") == []


def test_a_stranger_in_the_present_list_is_refused_and_nothing_is_written(
        client, db, staff, team, started):
    response = put_day(client, staff, team, 1, [team.participants[0], "someone-else"])
    assert response.status_code == 422 and "someone-else" in response.json["errors"]["present"][0]
    sheet = client.get(f"/enrolments/{team.enrolment_id}/attendance", headers=staff).json
    assert all(day["present"] is None for p in sheet["participants"] for day in p["days"])


def test_only_confirmed_enrolments_have_attendance(client, staff, held, started):
    assert put_day(client, staff, held, 1, []).status_code == 409


def test_the_session_sheet_shows_every_attending_team_to_provider_trainers_and_auditors(
        client, auth, course, staff, trainer, team, held, started):
    put_day(client, staff, team, 1, team.participants)
    for headers in (staff, trainer, auth("ilo_auditor")):
        response = client.get(f"/sessions/{course['session_id']}/attendance", headers=headers)
        assert response.status_code == 200, response.json
        (only,) = response.json["enrolments"]
        assert only["enrolment_id"] == team.enrolment_id and only["sme_name"].startswith("PT")
    for headers in (team.sme, auth("provider_staff", "prov-2", "provider"),
                    auth("trainer", subject="trainer-9")):
        response = client.get(f"/sessions/{course['session_id']}/attendance", headers=headers)
        assert response.status_code in (403, 404)


# ---------------------------------------------------------------- completion


def attend(client, staff, team, days_present: dict[int, list[str]]):
    for day, present in days_present.items():
        assert put_day(client, staff, team, day, present).status_code == 200


def test_closing_attendance_completes_confirmed_teams_by_the_rule(
        client, db, course, staff, team, held, clock):
    clock.move_to(course["start_date"])
    first, second, third = team.participants
    attend(client, staff, team, {1: [first, second, third], 2: [first, second]})
    clock.move_to(course["end_date"])
    response = client.post(f"/sessions/{course['session_id']}/close-attendance", headers=staff)
    assert response.status_code == 200, response.json
    assert response.json == {"session_id": course["session_id"], "enrolments_completed": 1,
                             "participants_completed": 2, "participants_not_completed": 1}
    sheet = client.get(f"/enrolments/{team.enrolment_id}/attendance", headers=team.sme).json
    assert sheet["status"] == "completed"
    assert {p["participant_id"]: p["completed"] for p in sheet["participants"]} == {
        first: True, second: True, third: False}
    (event,) = published_events(db, "enrolment.completed")
    assert event["status"] == "completed" and event["classroom_days"] == 2
    outcomes = {o["participant_id"]: (o["days_present"], o["completed"])
                for o in event["outcomes"]}
    assert outcomes == {first: (2, True), second: (2, True), third: (1, False)}
    with db.reading() as session:
        assert session.get(Enrolment, held.enrolment_id).status == "held"


def test_closing_twice_changes_nothing(client, db, course, staff, team, clock):
    clock.move_to(course["end_date"])
    url = f"/sessions/{course['session_id']}/close-attendance"
    assert client.post(url, headers=staff).json["enrolments_completed"] == 1
    again = client.post(url, headers=staff)
    assert again.status_code == 200 and again.json["enrolments_completed"] == 0
    assert len(published_events(db, "enrolment.completed")) == 1


def test_attendance_closes_on_the_last_classroom_day_not_before(client, course, staff, team,
                                                                started):
    response = client.post(f"/sessions/{course['session_id']}/close-attendance", headers=staff)
    assert response.status_code == 409


def test_only_the_sessions_provider_closes_its_attendance(client, auth, course, trainer, team,
                                                          clock):
    clock.move_to(course["end_date"])
    url = f"/sessions/{course['session_id']}/close-attendance"
    assert client.post(url, headers=trainer).status_code == 403
    assert client.post(url, headers=auth("provider_staff", "prov-2", "provider")
                       ).status_code == 404
    assert client.post(url, headers=team.sme).status_code == 403


def test_catalogs_session_completed_completes_the_teams_once(client, db, catalog, course,
                                                             staff, team, clock):
    clock.move_to(course["start_date"])
    attend(client, staff, team, {1: team.participants, 2: team.participants})
    assert catalog.send("started", {**course, "status": "in_progress"}) == "applied"
    clock.move_to(course["end_date"])
    assert catalog.send("completed", {**course, "status": "completed"}) == "applied"
    (event,) = published_events(db, "enrolment.completed")
    assert all(o["completed"] for o in event["outcomes"]) and event["changed_by"] == (
        completion.CATALOG)
    assert catalog.send("completed", {**course, "status": "completed"}) == "applied"
    assert len(published_events(db, "enrolment.completed")) == 1


def test_a_lower_completion_threshold_counts_fewer_days(db, policy, course, staff, team,
                                                        client, clock):
    clock.move_to(course["start_date"])
    attend(client, staff, team, {1: team.participants[:1], 2: []})
    half = dataclasses.replace(policy, completion_min_attendance_percent=50)
    with db.transaction() as session:
        offered = session.get(OfferedSession, course["session_id"])
        (done,) = completion.complete_enrolments(session, offered, actor="t", policy=half)
        assert [p.completed for p in done.participants] == [True, False, False]
