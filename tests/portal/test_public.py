"""Public pages: session search with every catalog filter, a session, a provider, verification."""

from __future__ import annotations

import pytest

from tests.portal.conftest import csrf_of

SESSION_ID = "8009c2ee-20ce-48f2-8966-46171762db7e"
PROVIDER = {"id": "prov-1", "legal_name": "Pro Serve Indonesia"}
SUMMARY = {
    "id": SESSION_ID, "status": "published", "provider": PROVIDER,
    "course": {"id": "c-1", "module_code": "M1", "title_id": "Kerja Sama di Tempat Kerja",
               "title_en": "Workplace Cooperation", "language": "id", "classroom_days": 2,
               "consultancy_visits": 4, "max_participants_per_enterprise": 4},
    "start_date": "2027-01-05", "end_date": "2027-01-06", "enrolment_deadline": "2026-12-29",
    "venue_address": "Jl. Merdeka 1", "city": "Bekasi", "province_code": "32", "capacity": 16,
    "seats_taken": 2, "seats_free": 14, "is_full": False, "price_per_participant": 2_500_000,
    "ilo_supervised": True, "estimated_delivery_cost": 30_000_000, "cancel_reason": None,
}


@pytest.fixture
def catalog(services):
    services.answer("catalog", "GET", "/modules", {"items": [
        {"code": "M1", "number": 1, "name_id": "Kerja Sama", "name_en": "Cooperation",
         "prerequisite_code": None}]})
    services.answer("catalog", "GET", "/provinces", {"items": [
        {"bps_code": "32", "iso_code": "ID-JB", "name": "Jawa Barat"}]})
    services.answer("catalog", "GET", "/sessions", {"items": [SUMMARY], "next_cursor": "abc",
                                                    "limit": 20})
    return services


def test_search_shows_each_session_with_price_seats_and_dates_in_indonesian(client, catalog):
    page = client.get("/sessions").get_data(as_text=True)

    assert "Kerja Sama di Tempat Kerja" in page
    assert "Rp2.500.000" in page and "14 dari 16 kursi kosong" in page
    assert "5 Jan 2027" in page and "Diawasi ILO" in page
    assert f'href="/sessions/{SESSION_ID}"' in page


def test_every_filter_reaches_the_catalog_and_blank_ones_are_left_out(client, catalog):
    client.get("/sessions?q=kerja&module=M1&province=32&city=Bekasi&date_from=2027-01-01"
               "&date_to=2027-02-01&language=id&price_min=100000&price_max=3000000"
               "&has_free_seats=true&sort=price&provider=&unknown=1")

    (sent,) = catalog.sent("catalog", "GET", "/sessions")
    assert {k: v[0] for k, v in sent.query.items()} == {
        "q": "kerja", "module": "M1", "province": "32", "city": "Bekasi",
        "date_from": "2027-01-01", "date_to": "2027-02-01", "language": "id",
        "price_min": "100000", "price_max": "3000000", "has_free_seats": "true",
        "sort": "price"}


def test_the_next_page_keeps_the_filters(client, catalog):
    page = client.get("/sessions?module=M1").get_data(as_text=True)

    assert 'href="/sessions?cursor=abc&amp;module=M1"' in page


def test_a_filter_the_catalog_refuses_is_explained_next_to_it_and_kept(client, catalog):
    catalog.refuse("catalog", "GET", "/sessions", 400, "Bad request",
                   errors={"price_max": ["must be at least price_min"]})

    page = client.get("/sessions?price_min=500&price_max=100")
    text = page.get_data(as_text=True)

    assert page.status_code == 200
    assert 'id="price_max-error"' in text and "must be at least price_min" in text
    assert 'name="price_max" type="number" value="100"' in text


def test_a_session_page_shows_what_an_sme_needs_to_decide(client, catalog):
    module = {"code": "M1", "name_id": "Kerja Sama", "name_en": "Cooperation"}
    course = {**SUMMARY["course"], "module": module, "description_id": "Lokakarya dua hari.",
              "description_en": "Two days."}
    catalog.answer("catalog", "GET", f"/sessions/{SESSION_ID}", {
        **SUMMARY, "course": course, "provider": {**PROVIDER},
        "trainers": [{"trainer_id": "t-1", "role": "lead"}]})

    page = client.get(f"/sessions/{SESSION_ID}").get_data(as_text=True)

    assert "Lokakarya dua hari." in page and "Jawa Barat" in page
    assert "Hingga 4 orang per perusahaan" in page
    assert f'href="/sme/enrol/{SESSION_ID}"' in page


def test_an_unknown_session_is_a_friendly_404(client, catalog):
    page = client.get(f"/sessions/{SESSION_ID}")

    assert page.status_code == 404
    assert "Halaman tidak ditemukan" in page.get_data(as_text=True)


def test_a_catalog_outage_is_a_friendly_503(client, services):
    page = client.get("/sessions")

    # Nothing answers /modules (404) here; an unreachable service is a 503 page.
    assert page.status_code in (404, 503)
    client.application.extensions["portal_backend"].urls.pop("catalog")
    page = client.get("/sessions")
    assert page.status_code == 503
    assert "sedang tidak tersedia" in page.get_data(as_text=True)


def test_a_provider_page_lists_its_published_sessions(client, catalog):
    catalog.answer("catalog", "GET", "/providers/prov-1", {
        **PROVIDER, "npwp": "", "contact_name": "Ani", "email": "ani@example.id",
        "phone": "021", "address": "Jakarta", "provinces_served": ["32"],
        "description": "Penyedia SCORE.", "website": None, "status": "approved"})

    page = client.get("/providers/prov-1").get_data(as_text=True)

    assert "Penyedia SCORE." in page and "Jawa Barat" in page
    (sent,) = catalog.sent("catalog", "GET", "/sessions")
    assert sent.query["provider"] == ["prov-1"]


def test_verification_says_why_a_certificate_fails(client, services):
    services.answer("certification", "POST", "/credentials/verify", {
        "valid": False, "reasons": ["REVOKED"], "details": ["revoked"], "credential": {
            "validFrom": "2026-01-01T00:00:00Z", "credentialSubject": {
                "identifier": [{"identityType": "name", "identityHash": "Sri Wahyuni"}],
                "achievement": {"name": "SCORE Trainer M1"}}}})
    form = client.get("/verify")

    page = client.post("/verify", data={"token": "eyJabc", "csrf_token": csrf_of(form.data)})
    text = page.get_data(as_text=True)

    assert "Sertifikat telah dicabut." in text and "Sri Wahyuni" in text
    (sent,) = services.sent("certification", "POST", "/credentials/verify")
    assert sent.body == {"token": "eyJabc"}


def test_a_credential_link_opens_its_verification(client, services):
    credential_id = "0b0c6f1e-9a51-4a39-8f0c-1d2e3f4a5b6c"
    services.answer("certification", "GET", f"/credentials/{credential_id}", {
        "token": "eyJxyz", "verification": {"valid": True, "reasons": [], "details": [],
                                             "credential": {}}})

    text = client.get(f"/verify?credential={credential_id}").get_data(as_text=True)

    assert "Sertifikat ini asli dan berlaku." in text and "eyJxyz" in text
