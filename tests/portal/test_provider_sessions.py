"""A training provider's sessions: list, create, the lifecycle, enrolments, cancellation.

Every call goes to the signed-in user's own provider; forms send the services' bodies;
refusals land next to their field with what was typed kept; lifecycle refusals
become a notice.
"""

from __future__ import annotations

import pytest

from tests.portal import provider_world as w
from tests.portal.conftest import csrf_of


@pytest.fixture
def provider(sign_in, services):
    w.world(services)
    sign_in("provider_staff", w.PROVIDER, "provider", name="Ibu Sari",
            email="staff@proserve.example")
    return services


def orgs_named(services, service):
    """Every provider id in the paths of the calls to ``service``."""
    return {part for r in services.sent(service) for part in r.path.split("/")
            if part in (w.PROVIDER, w.OTHER)}


# ------------------------------------------------------------------ sessions


def test_sessions_are_listed_by_status_a_page_at_a_time(client, provider):
    provider.answer("catalog", "GET", f"/providers/{w.PROVIDER}/sessions", {
        "items": [w.summary()], "next_cursor": "page2", "limit": 20})

    page = client.get("/provider/sessions?status=published&cursor=page1").get_data(as_text=True)

    (sent,) = provider.sent("catalog", "GET", f"/providers/{w.PROVIDER}/sessions")
    assert sent.query == {"status": ["published"], "cursor": ["page1"], "limit": ["20"]}
    assert "Bandung" in page and "5 / 20" in page
    assert 'href="/provider/sessions?status=published&amp;cursor=page2"' in page


def test_a_new_session_sends_its_dates_seats_and_trainers(client, provider):
    page = client.get("/provider/sessions/new")
    text = page.get_data(as_text=True)
    assert '<option value="trainer-siti">Siti Nurhaliza</option>' in text
    provider.answer("catalog", "POST", f"/providers/{w.PROVIDER}/sessions",
                    {**w.SESSION, "status": "draft"}, 201)

    response = client.post("/provider/sessions/new", data={
        "course_id": w.COURSE_ID, "start_date": "2027-03-01", "end_date": "2027-03-02",
        "enrolment_deadline": "2027-02-20", "venue_address": "Hotel Savoy Homann",
        "city": "Bandung", "province_code": "32", "capacity": "20",
        "estimated_delivery_cost": "30.000.000", "ilo_supervised": "true",
        "trainers.0.trainer_id": "", "trainers.0.role": "lead",
        "trainers.1.trainer_id": "trainer-siti", "trainers.1.role": "lead",
        "csrf_token": csrf_of(page.data), "form_key": "session-key-1"})

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/provider/sessions/{w.SESSION_ID}")
    (sent,) = provider.sent("catalog", "POST", f"/providers/{w.PROVIDER}/sessions")
    assert sent.body == {
        "course_id": w.COURSE_ID, "start_date": "2027-03-01", "end_date": "2027-03-02",
        "enrolment_deadline": "2027-02-20", "venue_address": "Hotel Savoy Homann",
        "city": "Bandung", "province_code": "32", "capacity": 20,
        "estimated_delivery_cost": 30_000_000, "ilo_supervised": True,
        "trainers": [{"trainer_id": "trainer-siti", "role": "lead"}]}
    assert sent.headers["Idempotency-Key"] == "session-key-1"
    assert provider.sent("certification", "GET", "/trainers")[0].query["provider_id"] == [
        w.PROVIDER]


def test_a_refused_capacity_is_shown_by_the_field_with_the_values_kept(client, provider):
    page = client.get("/provider/sessions/new")
    provider.refuse("catalog", "POST", f"/providers/{w.PROVIDER}/sessions", 422,
                    "Unprocessable Entity", errors={
                        "capacity": ["Must be greater than or equal to 1 and less than or "
                                     "equal to 500."],
                        "trainers[0].trainer_id": ["not a registered trainer"]})

    response = client.post("/provider/sessions/new", data={
        "course_id": w.COURSE_ID, "start_date": "2027-03-01", "end_date": "2027-03-02",
        "enrolment_deadline": "2027-02-20", "venue_address": "Hotel Savoy Homann",
        "city": "Bandung", "province_code": "32", "capacity": "900",
        "estimated_delivery_cost": "0", "trainers.2.trainer_id": "trainer-x",
        "trainers.2.role": "co", "csrf_token": csrf_of(page.data)})

    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'id="capacity-error"' in text and "angka dari 1 sampai 500" in text
    assert 'value="900"' in text and 'value="Bandung"' in text
    # The only trainer row sent was row 0: its error is shown on that row, with its value.
    assert 'id="trainers-0-trainer_id-error"' in text
    assert "bukan pelatih terdaftar" in text
    assert '<option value="trainer-x" selected>' in text


def test_the_session_page_shows_seats_and_enrolments(client, provider):
    page = client.get(f"/provider/sessions/{w.SESSION_ID}").get_data(as_text=True)

    assert "CV Tenun Nusantara" in page and "Rp4.500.000" in page
    assert "Menunggu pembayaran" in page and "Siti Nurhaliza" in page
    assert "<dt>Kursi ditahan</dt><dd>3</dd>" in page
    assert "<dt>Kursi terkonfirmasi</dt><dd>2</dd>" in page
    assert provider.sent("enrolment", "GET", f"/sessions/{w.SESSION_ID}/enrolments")
    assert 'data-confirm="' in page  # cancelling asks first


def test_another_providers_session_is_not_found_and_enrolment_not_asked(client, provider):
    provider.answer("catalog", "GET", f"/sessions/{w.SESSION_ID}", {
        **w.SESSION, "provider": {**w.PROVIDER_BODY, "id": w.OTHER}})

    assert client.get(f"/provider/sessions/{w.SESSION_ID}").status_code == 404
    assert client.get(f"/provider/sessions/{w.SESSION_ID}/attendance").status_code == 404
    assert not provider.sent("enrolment")


def test_a_lifecycle_refusal_becomes_a_notice(client, provider):
    page = client.get(f"/provider/sessions/{w.SESSION_ID}")
    provider.refuse("catalog", "POST", f"/sessions/{w.SESSION_ID}/start", 409,
                    "Invalid state transition", "cannot start a session that is draft",
                    slug="invalid-transition")

    response = client.post(f"/provider/sessions/{w.SESSION_ID}/start",
                           data={"csrf_token": csrf_of(page.data)})

    assert response.status_code == 303
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ini tidak mungkin dalam keadaannya sekarang" in after


def test_starting_before_the_start_date_is_explained(client, provider):
    page = client.get(f"/provider/sessions/{w.SESSION_ID}")
    provider.refuse("catalog", "POST", f"/sessions/{w.SESSION_ID}/start", 409, "Conflict",
                    "the session has not reached its start date",
                    errors={"start_date": ["starts on 2027-03-01"]})

    response = client.post(f"/provider/sessions/{w.SESSION_ID}/start",
                           data={"csrf_token": csrf_of(page.data)}, follow_redirects=True)

    assert "pada tanggal mulainya" in response.get_data(as_text=True)


def test_publishing_posts_with_the_csrf_token_only(client, provider):
    provider.answer("catalog", "GET", f"/sessions/{w.SESSION_ID}", {**w.SESSION,
                                                                     "status": "draft"})
    page = client.get(f"/provider/sessions/{w.SESSION_ID}")
    provider.answer("catalog", "POST", f"/sessions/{w.SESSION_ID}/publish", w.SESSION)

    assert client.post(f"/provider/sessions/{w.SESSION_ID}/publish").status_code == 400
    assert not provider.sent("catalog", "POST")
    response = client.post(f"/provider/sessions/{w.SESSION_ID}/publish",
                           data={"csrf_token": csrf_of(page.data)})

    assert response.status_code == 303
    assert len(provider.sent("catalog", "POST", f"/sessions/{w.SESSION_ID}/publish")) == 1


def test_cancelling_sends_the_reason_and_a_short_one_is_refused_by_the_field(client, provider):
    page = client.get(f"/provider/sessions/{w.SESSION_ID}")
    provider.refuse("catalog", "POST", f"/sessions/{w.SESSION_ID}/cancel", 422,
                    "Unprocessable Entity", errors={"reason": [
                        "Length must be between 3 and 500."]})

    refused = client.post(f"/provider/sessions/{w.SESSION_ID}/cancel",
                          data={"reason": "no", "csrf_token": csrf_of(page.data)})

    assert refused.status_code == 422
    assert 'id="reason-error"' in refused.get_data(as_text=True)
    provider.answer("catalog", "POST", f"/sessions/{w.SESSION_ID}/cancel",
                    {**w.SESSION, "status": "cancelled"})
    done = client.post(f"/provider/sessions/{w.SESSION_ID}/cancel",
                       data={"reason": "The venue flooded", "csrf_token": csrf_of(page.data)})
    assert done.status_code == 303
    assert provider.sent("catalog", "POST", f"/sessions/{w.SESSION_ID}/cancel")[-1].body == {
        "reason": "The venue flooded"}


def test_publishing_with_an_uncertified_lead_names_the_reason(client, provider):
    provider.answer("catalog", "GET", f"/sessions/{w.SESSION_ID}", {**w.SESSION,
                                                                     "status": "draft"})
    page = client.get(f"/provider/sessions/{w.SESSION_ID}")
    provider.refuse("catalog", "POST", f"/sessions/{w.SESSION_ID}/publish", 422,
                    "Validation failed", "the session cannot be published yet",
                    slug="validation-failed", errors={"trainers[0].trainer_id": [
                        "the lead trainer must be certified for M1 (status: candidate)"]})

    response = client.post(f"/provider/sessions/{w.SESSION_ID}/publish",
                           data={"csrf_token": csrf_of(page.data)}, follow_redirects=True)

    assert "harus tersertifikasi untuk M1 (saat ini: Kandidat)" in response.get_data(as_text=True)


def test_without_certifications_list_trainers_are_typed_by_id(client, provider):
    provider.refuse("certification", "GET", "/trainers", 403, "Forbidden")

    page = client.get("/provider/sessions/new")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<input id="f-trainers-0-trainer_id" name="trainers.0.trainer_id" type="text"' in text
