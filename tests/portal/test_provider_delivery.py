"""A session's delivery: the attendance sheet and consultancy visits."""

from __future__ import annotations

import pytest

from tests.portal import provider_world as w
from tests.portal.conftest import csrf_of


@pytest.fixture
def provider(sign_in, services):
    w.world(services)
    sign_in("provider_staff", w.PROVIDER, "provider")
    return services


# ------------------------------------------------------------------ attendance


def test_the_attendance_sheet_is_participants_by_days(client, provider):
    w.in_progress(provider)

    page = client.get(f"/provider/sessions/{w.SESSION_ID}/attendance").get_data(as_text=True)

    assert "Ibu Ratna" in page and "Pak Budi" in page
    checkbox = f'name="present.{w.ENROLMENT_ID}.1" value="p-1" checked'
    assert checkbox in page
    assert f'name="present.{w.ENROLMENT_ID}.1" value="p-2">' in page
    assert 'name="record_day" value="1" checked' in page
    assert 'name="record_day" value="2">' in page


def test_saving_attendance_records_each_kept_day_of_each_team(client, provider):
    w.in_progress(provider)
    page = client.get(f"/provider/sessions/{w.SESSION_ID}/attendance")
    provider.answer("enrolment", "PUT", f"/enrolments/{w.ENROLMENT_ID}/attendance/*", {})

    response = client.post(f"/provider/sessions/{w.SESSION_ID}/attendance", data={
        f"present.{w.ENROLMENT_ID}.1": ["p-1", "p-2"], "csrf_token": csrf_of(page.data)})

    assert response.status_code == 303
    sent = provider.sent("enrolment", "PUT")
    # Day 1 was kept before; day 2 was neither kept nor ticked: left unrecorded.
    assert [(r.path, r.body) for r in sent] == [
        (f"/enrolments/{w.ENROLMENT_ID}/attendance/1", {"present": ["p-1", "p-2"]})]

    client.post(f"/provider/sessions/{w.SESSION_ID}/attendance", data={
        "record_day": "2", "csrf_token": csrf_of(page.data)})
    assert [r.body for r in provider.sent("enrolment", "PUT", "*/attendance/2")] == [
        {"present": []}]


def test_a_refused_day_is_said_and_closing_reports_completion(client, provider):
    w.in_progress(provider)
    page = client.get(f"/provider/sessions/{w.SESSION_ID}/attendance")
    provider.refuse("enrolment", "PUT", f"/enrolments/{w.ENROLMENT_ID}/attendance/1", 409,
                    "Invalid state transition", "the enrolment is completed",
                    slug="invalid-transition")
    saved = client.post(f"/provider/sessions/{w.SESSION_ID}/attendance", data={
        f"present.{w.ENROLMENT_ID}.1": "p-1", "csrf_token": csrf_of(page.data)},
        follow_redirects=True)
    assert "CV Tenun Nusantara, hari 1" in saved.get_data(as_text=True)

    provider.answer("enrolment", "POST", f"/sessions/{w.SESSION_ID}/close-attendance", {
        "session_id": w.SESSION_ID, "enrolments_completed": 1, "participants_completed": 1,
        "participants_not_completed": 1})
    closed = client.post(f"/provider/sessions/{w.SESSION_ID}/attendance/close",
                         data={"csrf_token": csrf_of(page.data)}, follow_redirects=True)
    assert "1 peserta lulus, 1 tidak" in closed.get_data(as_text=True)


# ------------------------------------------------------------------ visits


def test_visits_are_planned_recorded_and_cancelled(client, provider):
    w.in_progress(provider)
    page = client.get(f"/provider/sessions/{w.SESSION_ID}/visits")
    text = page.get_data(as_text=True)
    assert "0 dari 2 kunjungan tercatat" in text and "Siti Nurhaliza" in text
    provider.answer("enrolment", "POST", f"/enrolments/{w.ENROLMENT_ID}/visits", w.VISIT, 201)
    provider.answer("enrolment", "POST", f"/visits/{w.VISIT_ID}/record",
                    {**w.VISIT, "status": "recorded"})
    provider.answer("enrolment", "POST", f"/visits/{w.VISIT_ID}/cancel",
                    {**w.VISIT, "status": "cancelled"})
    plan, record = f"plan-{w.ENROLMENT_ID}", f"record-{w.VISIT_ID}"

    planned = client.post(f"/provider/sessions/{w.SESSION_ID}/visits/{w.ENROLMENT_ID}/plan",
                          data={f"{plan}.scheduled_on": "2027-03-20",
                                f"{plan}.trainer_id": "trainer-siti",
                                "csrf_token": csrf_of(page.data), "form_key": "visit-key-1"})
    recorded = client.post(f"/provider/sessions/{w.SESSION_ID}/visits/record/{w.VISIT_ID}",
                           data={f"{record}.visited_on": "2027-03-20",
                                 f"{record}.duration_minutes": "90",
                                 f"{record}.topics": "5S di lantai produksi\r\nRapat pagi\r\n",
                                 f"{record}.members_present": ["p-1", "p-2"],
                                 f"{record}.actions_agreed": "",
                                 "csrf_token": csrf_of(page.data)})
    cancelled = client.post(f"/provider/sessions/{w.SESSION_ID}/visits/cancel/{w.VISIT_ID}",
                            data={f"cancel-{w.VISIT_ID}.reason": "Pabrik tutup",
                                  "csrf_token": csrf_of(page.data)})

    assert planned.status_code == recorded.status_code == cancelled.status_code == 303
    (sent,) = provider.sent("enrolment", "POST", f"/enrolments/{w.ENROLMENT_ID}/visits")
    assert sent.body == {"scheduled_on": "2027-03-20", "trainer_id": "trainer-siti"}
    assert sent.headers["Idempotency-Key"] == "visit-key-1"
    (sent,) = provider.sent("enrolment", "POST", f"/visits/{w.VISIT_ID}/record")
    assert sent.body == {"visited_on": "2027-03-20", "duration_minutes": 90,
                         "topics": ["5S di lantai produksi", "Rapat pagi"],
                         "members_present": ["p-1", "p-2"], "actions_agreed": []}
    (sent,) = provider.sent("enrolment", "POST", f"/visits/{w.VISIT_ID}/cancel")
    assert sent.body == {"reason": "Pabrik tutup"}


def test_a_refused_visit_date_is_shown_by_its_field(client, provider):
    w.in_progress(provider)
    page = client.get(f"/provider/sessions/{w.SESSION_ID}/visits")
    provider.refuse("enrolment", "POST", f"/enrolments/{w.ENROLMENT_ID}/visits", 422,
                    "Validation failed", "the visit is not valid", slug="validation-failed",
                    errors={"scheduled_on": ["a visit is scheduled for today or later"]})
    plan = f"plan-{w.ENROLMENT_ID}"

    response = client.post(f"/provider/sessions/{w.SESSION_ID}/visits/{w.ENROLMENT_ID}/plan",
                           data={f"{plan}.scheduled_on": "2020-01-01",
                                 f"{plan}.trainer_id": "trainer-siti",
                                 "csrf_token": csrf_of(page.data)})

    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert f'id="{plan}-scheduled_on-error"' in text and 'value="2020-01-01"' in text


def test_a_visit_of_another_session_is_not_touched(client, provider):
    w.in_progress(provider)
    page = client.get(f"/provider/sessions/{w.SESSION_ID}/visits")
    provider.answer("enrolment", "GET", f"/visits/{w.VISIT_ID}", {**w.VISIT,
                                                                  "session_id": "elsewhere"})

    response = client.post(f"/provider/sessions/{w.SESSION_ID}/visits/cancel/{w.VISIT_ID}",
                           data={f"cancel-{w.VISIT_ID}.reason": "x y z",
                                 "csrf_token": csrf_of(page.data)})

    assert response.status_code == 404
    assert not provider.sent("enrolment", "POST")
