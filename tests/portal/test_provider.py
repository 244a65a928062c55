"""A training provider's pages: registration, overview, courses and sessions.

Every call goes to the signed-in user's own provider; forms send the services' bodies;
refusals land next to their field with what was typed kept; lifecycle refusals
become a notice.
"""

from __future__ import annotations

import pytest

from services.portal.web.provider import home
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


# ------------------------------------------------------------------ registration


def test_staff_without_a_provider_register_one_and_wait_for_approval(
        client, sign_in, services, auth, monkeypatch):
    monkeypatch.setattr(home, "POLL_INTERVAL_S", 0.01)
    w.world(services)
    sign_in("provider_staff", None, None, name="Ibu Sari")
    assert client.get("/provider/").headers["Location"].endswith("/provider/register")
    page = client.get("/provider/register")
    assert page.status_code == 200 and "DKI Jakarta" in page.get_data(as_text=True)
    services.answer("catalog", "POST", "/providers", {**w.PROVIDER_BODY, "status": "pending"},
                    201)
    # identity applies catalog's provider.registered: the next token acts for it.
    token = auth("provider_staff", w.PROVIDER, "provider")["Authorization"].split()[1]
    services.answer("identity", "POST", "/oauth/token", {
        "access_token": token, "expires_in": 300, "refresh_token": "refresh-2"})
    services.answer("catalog", "GET", f"/providers/{w.PROVIDER}",
                    {**w.PROVIDER_BODY, "status": "pending"})
    services.answer("enrolment", "GET", f"/providers/{w.PROVIDER}/invoices",
                    {"items": [], "next_cursor": None})

    response = client.post("/provider/register", data={
        "legal_name": "Pro Serve Indonesia", "npwp": "01.234.567.8-901.234",
        "contact_name": "Ibu Sari", "email": "staff@proserve.example",
        "phone": "+62 21 555 0101", "address": "Jl. Sudirman 1, Jakarta",
        "provinces_served": ["31", "32"], "description": "", "website": "",
        "csrf_token": csrf_of(page.data), "form_key": "register-key-1"})

    assert response.status_code == 303 and response.headers["Location"].endswith("/provider/")
    (sent,) = services.sent("catalog", "POST", "/providers")
    assert sent.body == {
        "legal_name": "Pro Serve Indonesia", "npwp": "01.234.567.8-901.234",
        "contact_name": "Ibu Sari", "email": "staff@proserve.example",
        "phone": "+62 21 555 0101", "address": "Jl. Sudirman 1, Jakarta",
        "provinces_served": ["31", "32"], "description": "", "website": None}
    assert sent.headers["Idempotency-Key"] == "register-key-1"
    overview = client.get("/provider/").get_data(as_text=True)
    assert "menunggu persetujuan admin platform" in overview
    assert "Pro Serve Indonesia" in overview


def test_a_registration_still_on_its_way_says_so(client, sign_in, services, monkeypatch):
    monkeypatch.setattr(home, "MEMBERSHIP_WAIT_S", 0.0)
    w.world(services)
    sign_in("provider_staff", None, None)
    page = client.get("/provider/register")
    services.answer("catalog", "POST", "/providers", {**w.PROVIDER_BODY, "status": "pending"},
                    201)

    response = client.post("/provider/register", data={
        "legal_name": "Pro Serve", "npwp": "012345678901234", "contact_name": "Ibu Sari",
        "email": "s@example.id", "phone": "0812 555", "address": "Jl. Sudirman 1",
        "provinces_served": "32", "csrf_token": csrf_of(page.data)})

    assert response.headers["Location"].endswith("/provider/register")
    waiting = client.get("/provider/register").get_data(as_text=True)
    assert "Pendaftaran Anda sudah diterima" in waiting
    assert 'action="/provider/register/check"' in waiting
    assert services.sent("catalog", "POST", "/providers")[0].body["provinces_served"] == ["32"]


def test_a_refused_registration_keeps_what_was_typed(client, sign_in, services):
    w.world(services)
    sign_in("provider_staff", None, None)
    page = client.get("/provider/register")
    services.refuse("catalog", "POST", "/providers", 409, "Conflict",
                    "a provider with this NPWP is registered",
                    errors={"npwp": ["already registered"]})

    response = client.post("/provider/register", data={
        "legal_name": "Pro Serve Indonesia", "npwp": "012345678901234",
        "contact_name": "Ibu Sari", "email": "s@example.id", "phone": "0812 555",
        "address": "Jl. Sudirman 1", "provinces_served": ["31", "32"],
        "csrf_token": csrf_of(page.data)})

    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert 'id="npwp-error"' in text and "NPWP ini sudah terdaftar" in text
    assert 'value="Pro Serve Indonesia"' in text
    assert '<option value="31" selected>' in text and '<option value="32" selected>' in text


# ------------------------------------------------------------------ overview


def test_the_overview_counts_the_providers_own_sessions_and_transfers(client, provider):
    provider.answer("catalog", "GET", f"/providers/{w.PROVIDER}/sessions", {
        "items": [w.summary()] * 3, "next_cursor": "more", "limit": 100})

    page = client.get("/provider/").get_data(as_text=True)

    assert "Pro Serve Indonesia" in page and "Disetujui" in page
    assert "3+" in page
    statuses = [r.query["status"][0]
                for r in provider.sent("catalog", "GET", f"/providers/{w.PROVIDER}/sessions")]
    assert statuses == ["draft", "published", "in_progress"]
    (invoices,) = provider.sent("enrolment", "GET", f"/providers/{w.PROVIDER}/invoices")
    assert invoices.query["status"] == ["pending"]
    assert orgs_named(provider, "catalog") == orgs_named(provider, "enrolment") == {w.PROVIDER}


def test_provider_pages_are_for_provider_staff_only(client, sign_in, services):
    w.world(services)
    sign_in("sme_user", "sme-1", "sme")
    for path in ("/provider/", "/provider/courses", "/provider/sessions", "/provider/payments",
                 "/provider/revenue", f"/provider/sessions/{w.SESSION_ID}/attendance",
                 "/provider/register"):
        assert client.get(path).status_code == 403, path
    assert not services.sent("enrolment")


# ------------------------------------------------------------------ courses


def test_courses_list_the_providers_own_courses(client, provider):
    page = client.get("/provider/courses?status=published").get_data(as_text=True)

    assert "Kerja Sama di Tempat Kerja" in page and "Rp1.500.000" in page
    (sent,) = provider.sent("catalog", "GET", f"/providers/{w.PROVIDER}/courses")
    assert sent.query == {"status": ["published"]}
    assert orgs_named(provider, "catalog") == {w.PROVIDER}


def test_a_new_course_sends_every_field_with_whole_rupiah(client, provider):
    page = client.get("/provider/courses/new")
    assert 'name="module_code"' in page.get_data(as_text=True)
    provider.answer("catalog", "POST", f"/providers/{w.PROVIDER}/courses",
                    {**w.COURSE, "status": "draft"}, 201)

    response = client.post("/provider/courses/new", data={
        "module_code": "M1", "title_id": "Kerja Sama", "title_en": "Cooperation",
        "description_id": "Deskripsi kursus ini.", "description_en": "This course's text.",
        "language": "en", "classroom_days": "2", "consultancy_visits": "3",
        "price_per_participant": "Rp1.500.000", "max_participants_per_enterprise": "4",
        "csrf_token": csrf_of(page.data), "form_key": "course-key-1"})

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/provider/courses/{w.COURSE_ID}")
    (sent,) = provider.sent("catalog", "POST", f"/providers/{w.PROVIDER}/courses")
    assert sent.body == {
        "module_code": "M1", "title_id": "Kerja Sama", "title_en": "Cooperation",
        "description_id": "Deskripsi kursus ini.", "description_en": "This course's text.",
        "language": "en", "classroom_days": 2, "consultancy_visits": 3,
        "price_per_participant": 1_500_000, "max_participants_per_enterprise": 4}
    assert sent.headers["Idempotency-Key"] == "course-key-1"


def test_a_refused_course_shows_the_error_by_its_field(client, provider):
    page = client.get("/provider/courses/new")
    provider.refuse("catalog", "POST", f"/providers/{w.PROVIDER}/courses", 422,
                    "Unprocessable Entity", errors={"description_en": [
                        "Length must be between 10 and 5000."]})

    response = client.post("/provider/courses/new", data={
        "module_code": "M1", "title_id": "Kerja Sama", "title_en": "Cooperation",
        "description_id": "Deskripsi kursus ini.", "description_en": "Short",
        "language": "id", "classroom_days": "2", "consultancy_visits": "2",
        "price_per_participant": "1500000", "max_participants_per_enterprise": "4",
        "csrf_token": csrf_of(page.data)})

    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'id="description_en-error"' in text and "antara 10 dan 5000 karakter" in text
    assert 'value="Kerja Sama"' in text and ">Short</textarea>" in text


def test_a_price_that_is_no_number_is_refused_before_catalog_is_asked(client, provider):
    page = client.get("/provider/courses/new")

    response = client.post("/provider/courses/new", data={
        "module_code": "M1", "title_id": "Kerja Sama", "title_en": "Cooperation",
        "description_id": "Deskripsi kursus ini.", "description_en": "This course's text.",
        "language": "id", "classroom_days": "2", "consultancy_visits": "2",
        "price_per_participant": "satu juta", "max_participants_per_enterprise": "4",
        "csrf_token": csrf_of(page.data)})

    assert response.status_code == 422
    assert 'id="price_per_participant-error"' in response.get_data(as_text=True)
    assert not provider.sent("catalog", "POST")


def test_editing_a_course_patches_it(client, provider):
    page = client.get(f"/provider/courses/{w.COURSE_ID}")
    assert 'value="Workplace Cooperation"' in page.get_data(as_text=True)
    provider.answer("catalog", "PATCH", f"/courses/{w.COURSE_ID}", w.COURSE)

    response = client.post(f"/provider/courses/{w.COURSE_ID}", data={
        "title_id": "Kerja Sama Baru", "title_en": "Workplace Cooperation",
        "description_id": "Lokakarya dua hari.", "description_en": "Two days, two visits.",
        "language": "id", "classroom_days": "2", "consultancy_visits": "2",
        "price_per_participant": "1750000", "max_participants_per_enterprise": "4",
        "csrf_token": csrf_of(page.data)})

    assert response.status_code == 303
    (sent,) = provider.sent("catalog", "PATCH", f"/courses/{w.COURSE_ID}")
    assert sent.body["title_id"] == "Kerja Sama Baru"
    assert sent.body["price_per_participant"] == 1_750_000 and "module_code" not in sent.body


def test_another_providers_course_is_not_found_and_not_changed(client, provider):
    provider.answer("catalog", "GET", f"/courses/{w.COURSE_ID}",
                    {**w.COURSE, "provider_id": w.OTHER})
    page = client.get("/provider/courses")

    assert client.get(f"/provider/courses/{w.COURSE_ID}").status_code == 404
    response = client.post(f"/provider/courses/{w.COURSE_ID}/archive",
                           data={"csrf_token": csrf_of(page.data)})
    assert response.status_code == 404
    assert not provider.sent("catalog", "POST")


def test_publishing_before_approval_is_explained(client, provider):
    provider.answer("catalog", "GET", f"/courses/{w.COURSE_ID}", {**w.COURSE, "status": "draft"})
    page = client.get(f"/provider/courses/{w.COURSE_ID}")
    assert f'action="/provider/courses/{w.COURSE_ID}/publish"' in page.get_data(as_text=True)
    provider.refuse("catalog", "POST", f"/courses/{w.COURSE_ID}/publish", 409, "Conflict",
                    "only approved providers publish", errors={"provider": ["provider is pending"]})

    response = client.post(f"/provider/courses/{w.COURSE_ID}/publish",
                           data={"csrf_token": csrf_of(page.data)}, follow_redirects=True)

    assert "Hanya penyedia yang sudah disetujui" in response.get_data(as_text=True)
