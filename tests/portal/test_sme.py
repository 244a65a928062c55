"""The SME user's pages: registering, enrolling a team (sponsor offers first), paying,
following the enrolment, KPIs and certificates – each against faked services."""

from __future__ import annotations

import re

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from services import portal
from services.portal.backend import Backend
from services.portal.web import sme as sme_pages
from tests.portal.conftest import csrf_of
from tests.portal.fakes import SERVICES, session_for
from tests.support.apps import base_config, migrated_sqlite

SME = "5b0e0d9e-6a0c-4a43-9d7e-0b1f1d3c0a01"
OTHER_SME = "7c1f2e3d-4b5a-4968-8776-655443322110"
SESSION = "8009c2ee-20ce-48f2-8966-46171762db7e"
ENROLMENT = "3f9a4c1e-2b7d-4e8f-9a6b-1c2d3e4f5a6b"
PAYMENT = "a1b2c3d4-e5f6-4789-8abc-def012345678"
CREDENTIAL = "c0ffee00-1234-4abc-8def-0123456789ab"

CATALOG_SESSION = {
    "id": SESSION, "status": "published", "is_full": False,
    "provider": {"id": "prov-1", "legal_name": "Pro Serve Indonesia"},
    "course": {"id": "c-1", "module_code": "M1", "title_id": "Kerja Sama di Tempat Kerja",
               "title_en": "Workplace Cooperation", "classroom_days": 2,
               "consultancy_visits": 2, "max_participants_per_enterprise": 4,
               "module": {"code": "M1", "name_id": "Kerja Sama", "name_en": "Cooperation"}},
    "start_date": "2027-01-05", "end_date": "2027-01-06", "enrolment_deadline": "2026-12-29",
    "venue_address": "Jl. Merdeka 1", "city": "Bekasi", "province_code": "32", "capacity": 16,
    "seats_free": 14, "price_per_participant": 2_500_000,
}
OFFERED = {"id": SESSION, "module_code": "M1", "title_id": "Kerja Sama di Tempat Kerja",
           "title_en": "Workplace Cooperation", "city": "Bekasi", "start_date": "2027-01-05",
           "end_date": "2027-01-06", "classroom_days": 2, "consultancy_visits": 2}
PROFILE = {"id": SME, "legal_name": "CV Tenun Nusantara", "nib": "9120000000101",
           "npwp": None, "kbli_code": "13121", "kbli_version": "2020", "province_code": "32",
           "city": "Bandung", "address": "Jl. Industri 35", "employees_total": 40,
           "employees_women": 28, "employees_men": 12, "size_class": "medium",
           "contact_name": "Wati", "contact_email": "wati@tenun.example",
           "contact_phone": "+62 21 555 2018"}
PEOPLE = [
    {"id": "p-1", "full_name": "Ani Lestari", "gender": "female", "role": "manager",
     "position": "Owner", "email": None, "phone": None, "completed": None},
    {"id": "p-2", "full_name": "Budi Santoso", "gender": "male", "role": "worker",
     "position": "Weaver", "email": None, "phone": None, "completed": None},
]


def enrolment(status="held", sme=SME, **changes) -> dict:
    found = {"id": ENROLMENT, "session_id": SESSION, "sme_id": sme, "provider_id": "prov-1",
             "module_code": "M1", "status": status, "participants_count": 2, "managers": 1,
             "workers": 1, "women": 1, "men": 1, "price_per_participant": 2_500_000,
             "amount_due": 5_000_000, "sme_share": 5_000_000, "sponsor_share": 0,
             "reservation_id": None, "payment_method": None,
             "expires_at": "2026-12-20T10:00:00+00:00", "status_reason": None,
             "created_at": "2026-12-19T10:00:00+00:00", "participants": PEOPLE,
             "payments": []}
    found.update(changes)
    return found


QUOTE = {"price": 5_000_000, "sponsor_share": 2_500_000, "sme_share": 2_500_000,
         "currency": "IDR", "reservation": None,
         "applied": [{"offer_id": "o-1", "fund_id": "f-1", "sponsor_id": "s-1",
                      "sponsor_name": "Kemnaker", "amount": 2_500_000, "participants": 2}],
         "declined": [{"offer_id": "o-2", "title": "Women-led teams",
                       "sponsor_name": "Nordic Partnership",
                       "reasons": [{"code": "REASON_WOMEN_SHARE_BELOW_MIN", "detail": "..."},
                                   {"code": "REASON_SOMETHING_NEW", "detail": "..."}]}]}


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory, signing_key):
    """One portal app for this module's tests (building one is most of a test's time)."""
    directory = tmp_path_factory.mktemp("sme-portal")
    url = migrated_sqlite(portal.runtime(), directory)
    application = portal.create_app(base_config(directory, signing_key, database_url=url))
    yield application
    application.extensions["score_db"].dispose()


@pytest.fixture
def app(shared_app, services):
    """The module's app, its services faked afresh for each test."""
    shared_app.extensions["portal_backend"] = Backend(
        {name: f"http://{name}" for name in SERVICES}, 5, http=session_for(services))
    return shared_app


@pytest.fixture
def english(client):
    client.set_cookie("score_lang", "en")


@pytest.fixture
def owner(sign_in, services, english):
    """Signed in as the user of SME, with the catalog's reference data answered."""
    services.answer("catalog", "GET", "/provinces", {"items": [
        {"bps_code": "32", "iso_code": "ID-JB", "name": "Jawa Barat"},
        {"bps_code": "31", "iso_code": "ID-JK", "name": "DKI Jakarta"}]})
    services.answer("catalog", "GET", f"/sessions/{SESSION}", CATALOG_SESSION)
    services.answer("enrolment", "GET", f"/sessions/{SESSION}", OFFERED)
    sign_in("sme_user", SME, "sme")
    return services


def team_form(page, rows, action="enrol") -> dict:
    data = {"csrf_token": csrf_of(page), "form_key": "key-12345678", "action": action}
    for index, person in rows.items():
        for name, value in person.items():
            data[f"participants.{index}.{name}"] = value
    return data


ANI = {"full_name": "Ani Lestari", "gender": "female", "role": "manager", "position": "Owner"}
BUDI = {"full_name": "Budi Santoso", "gender": "male", "role": "worker", "position": "Weaver"}
CITRA = {"full_name": "Citra Dewi", "gender": "female", "role": "worker",
         "position": "Dyer", "email": "citra@tenun.example"}


def test_other_roles_are_refused_and_visitors_sent_to_sign_in(client, sign_in):
    assert client.get("/sme/enrolments").status_code in (302, 303)
    sign_in("provider_staff", "prov-1", "provider")
    for path in ("/sme/", "/sme/register", "/sme/enrolments", f"/sme/enrol/{SESSION}",
                 f"/sme/enrolments/{ENROLMENT}/pay", "/sme/kpis", "/sme/certificates"):
        assert client.get(path).status_code == 403, path


# ------------------------------------------------------------------ registering


def test_a_user_without_an_sme_registers_it_first(client, sign_in, services, english):
    services.answer("catalog", "GET", "/provinces", {"items": [
        {"bps_code": "32", "iso_code": "ID-JB", "name": "Jawa Barat"}]})
    sign_in("sme_user", None)

    home = client.get("/sme/")
    assert home.status_code == 303 and home.headers["Location"].endswith("/sme/register")
    page = client.get("/sme/register").get_data(as_text=True)
    assert '<option value="32">Jawa Barat</option>' in page
    for name in ("legal_name", "nib", "npwp", "kbli_code", "kbli_version", "province_code",
                 "city", "address", "employees_total", "employees_women", "employees_men",
                 "contact_name", "contact_email", "contact_phone"):
        assert f'name="{name}"' in page, name


REGISTRATION = {"legal_name": "CV Batik Sekar", "nib": "1234567890123", "npwp": "",
                "kbli_code": "13134", "kbli_version": "2020", "province_code": "32",
                "city": "Bandung", "address": "Jl. Braga 10", "employees_total": "12",
                "employees_women": "8", "employees_men": "4", "contact_name": "Ratna",
                "contact_email": "ratna@batik.example", "contact_phone": "+62 812 1111 2222"}


def test_registering_sends_every_field_then_acts_for_the_new_sme(
        client, sign_in, services, auth, english):
    services.answer("catalog", "GET", "/provinces", {"items": []})
    sign_in("sme_user", None)
    page = client.get("/sme/register")
    services.answer("enrolment", "POST", "/smes", {"id": SME, **PROFILE}, 201)
    # Identity has applied sme.registered: the refreshed token names the SME.
    token = auth("sme_user", SME, "sme", subject="user-1")["Authorization"].split()[1]
    services.answer("identity", "POST", "/oauth/token", {
        "access_token": token, "expires_in": 300, "refresh_token": "refresh-2"})

    response = client.post("/sme/register", data={
        **REGISTRATION, "csrf_token": csrf_of(page.data), "form_key": "reg-key-123456"})

    assert response.status_code == 303 and response.headers["Location"].endswith("/sme/")
    (sent,) = services.sent("enrolment", "POST", "/smes")
    assert sent.body == {**{k: v for k, v in REGISTRATION.items() if k != "employees_total"},
                         "npwp": None, "employees_women": 8, "employees_men": 4}
    assert sent.headers["Idempotency-Key"] == "reg-key-123456"
    refresh = services.sent("identity", "POST", "/oauth/token")[-1]
    assert refresh.body["grant_type"] == "refresh_token"
    services.answer("enrolment", "GET", f"/smes/{SME}", PROFILE)
    services.answer("enrolment", "GET", "/enrolments", {"items": [], "next_cursor": None})
    assert client.get("/sme/").status_code == 200


def test_a_membership_not_granted_yet_says_the_sme_is_being_set_up(
        client, sign_in, services, monkeypatch, english):
    monkeypatch.setattr(sme_pages, "SETUP_WAIT_S", 0.0)
    services.answer("catalog", "GET", "/provinces", {"items": []})
    sign_in("sme_user", None)
    page = client.get("/sme/register")
    services.answer("enrolment", "POST", "/smes", {"id": SME}, 201)

    response = client.post("/sme/register", data={
        **REGISTRATION, "csrf_token": csrf_of(page.data), "form_key": "reg-key-123456"})

    assert response.status_code == 303
    again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "being set up" in again and 'name="legal_name"' not in again
    assert len(services.sent("enrolment", "POST", "/smes")) == 1


def test_a_refused_registration_shows_the_reason_at_its_field_and_keeps_the_values(
        client, sign_in, services, english):
    services.answer("catalog", "GET", "/provinces", {"items": [
        {"bps_code": "32", "iso_code": "ID-JB", "name": "Jawa Barat"}]})
    sign_in("sme_user", None)
    page = client.get("/sme/register")
    services.refuse("enrolment", "POST", "/smes", 422, "Unprocessable Entity",
                    errors={"contact_email": ["Not a valid email address."]},
                    slug="validation-failed")

    response = client.post("/sme/register", data={
        **REGISTRATION, "employees_total": "13", "csrf_token": csrf_of(page.data)})

    # The local check (the total) stops it before enrolment is asked.
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Women and men add up to 12, not 13." in text
    assert not services.sent("enrolment", "POST", "/smes")
    response = client.post("/sme/register", data={**REGISTRATION,
                                                  "csrf_token": csrf_of(page.data)})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="f-contact_email"[^>]*aria-invalid="true"', text)
    assert "Enter a valid email address." in text
    assert 'value="CV Batik Sekar"' in text and '<option value="32" selected>' in text


# ------------------------------------------------------------------ home and lists


def test_home_shows_the_profile_and_only_open_enrolments_of_the_users_sme(client, owner):
    owner.answer("enrolment", "GET", f"/smes/{SME}", PROFILE)
    owner.answer("enrolment", "GET", "/enrolments", {"items": [
        enrolment("held"), enrolment("cancelled", id="x-2"), enrolment("completed", id="x-3")],
        "next_cursor": None})

    page = client.get("/sme/").get_data(as_text=True)

    assert "CV Tenun Nusantara" in page and "Medium enterprise" in page
    assert "Jawa Barat" in page and "40 (28 women, 12 men)" in page
    assert f"/sme/enrolments/{ENROLMENT}" in page and "/sme/enrolments/x-2" not in page
    (listed,) = owner.sent("enrolment", "GET", "/enrolments")
    assert listed.query["sme_id"] == [SME]
    assert listed.headers["Authorization"].startswith("Bearer ")


def test_enrolments_list_every_status_and_the_waiting_lists(client, owner):
    owner.answer("enrolment", "GET", "/enrolments", {"items": [
        enrolment("confirmed", sponsor_share=2_500_000, sme_share=2_500_000, expires_at=None)],
        "next_cursor": "next-1"})
    owner.answer("enrolment", "GET", f"/smes/{SME}/waitlist", {"items": [
        {"id": "7", "session_id": SESSION, "sme_id": SME, "status": "waiting", "position": 3,
         "participants_count": 4, "enrolment_id": None}]})

    page = client.get("/sme/enrolments").get_data(as_text=True)

    assert 'class="badge ok">Confirmed' in page and "IDR2,500,000" in page
    assert "Workplace Cooperation" in page and "cursor=next-1" in page
    assert "Waiting lists" in page and ">3<" in page


# ------------------------------------------------------------------ enrolling a team


def test_the_enrol_page_shows_the_session_and_the_team_minimum_of_rows(client, owner):
    page = client.get(f"/sme/enrol/{SESSION}").get_data(as_text=True)

    assert "Workplace Cooperation" in page and "Pro Serve Indonesia" in page
    assert "IDR2,500,000" in page
    assert 'name="participants.1.full_name"' in page
    assert 'name="participants.2.full_name"' not in page
    assert 'data-add-row="team"' in page and 'name="participants.__i__.gender"' in page
    assert "2 to 4 people" in page  # the course allows 4 per enterprise


def test_a_row_is_added_without_javascript_and_nothing_is_sent(client, owner):
    page = client.get(f"/sme/enrol/{SESSION}")

    response = client.post(f"/sme/enrol/{SESSION}",
                           data=team_form(page.data, {0: ANI, 1: BUDI}, action="add_row"))

    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="participants.2.full_name"' in text and 'value="Budi Santoso"' in text
    assert not owner.sent("enrolment", "POST") and not owner.sent("sponsorship")


def test_the_team_rules_are_checked_before_anything_is_sent(client, owner):
    page = client.get(f"/sme/enrol/{SESSION}")

    response = client.post(f"/sme/enrol/{SESSION}", data=team_form(
        page.data, {0: ANI, 1: {**BUDI, "role": "manager", "position": ""}}))

    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "At least one worker takes part." in text
    assert re.search(r'id="f-participants-1-position"[^>]*aria-invalid="true"', text)
    assert 'id="participants-1-position-error"' in text
    assert not owner.sent("enrolment", "POST")


def test_sponsor_offers_are_previewed_with_amounts_and_reasons_in_words(client, owner):
    owner.answer("sponsorship", "POST", "/quotes", QUOTE)
    page = client.get(f"/sme/enrol/{SESSION}")

    response = client.post(f"/sme/enrol/{SESSION}",
                           data=team_form(page.data, {0: ANI, 1: BUDI}, action="quote"))

    text = response.get_data(as_text=True)
    (quote,) = owner.sent("sponsorship", "POST", "/quotes")
    assert quote.body == {"sme_id": SME, "session_id": SESSION, "team": {
        "participants": 2, "managers": 1, "workers": 1, "women": 1, "men": 1}}
    assert "Kemnaker" in text and "IDR2,500,000" in text
    assert "The offer asks for a larger share of women in the team." in text
    assert "REASON_SOMETHING_NEW" in text  # an unknown code is still shown
    assert 'value="Ani Lestari"' in text  # the team is kept
    assert not owner.sent("enrolment", "POST")


def test_a_sponsorship_outage_leaves_the_enrol_page_working(client, owner):
    page = client.get(f"/sme/enrol/{SESSION}")
    owner.answer("sponsorship", "POST", "/quotes", {"title": "down"}, 503)

    response = client.post(f"/sme/enrol/{SESSION}",
                           data=team_form(page.data, {0: ANI, 1: BUDI}, action="quote"))

    assert response.status_code == 200
    assert "cannot be shown right now" in response.get_data(as_text=True)


def test_enrolling_holds_the_seats_and_goes_on_to_paying(client, owner):
    owner.answer("enrolment", "POST", f"/sessions/{SESSION}/enrolments", enrolment(), 201)
    page = client.get(f"/sme/enrol/{SESSION}")

    response = client.post(f"/sme/enrol/{SESSION}",
                           data=team_form(page.data, {0: ANI, 1: {}, 2: CITRA}))

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/sme/enrolments/{ENROLMENT}/pay")
    (sent,) = owner.sent("enrolment", "POST", f"/sessions/{SESSION}/enrolments")
    assert sent.body == {"participants": [
        {**ANI, "email": None, "phone": None},
        {**CITRA, "phone": None}]}
    assert sent.headers["Idempotency-Key"] == "key-12345678"
    owner.answer("enrolment", "GET", f"/enrolments/{ENROLMENT}", enrolment())
    owner.answer("sponsorship", "POST", "/quotes", QUOTE)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your team is enrolled." in page and "The seats are held until" in page


def test_a_refused_participant_is_shown_on_its_own_row(client, owner):
    owner.refuse("enrolment", "POST", f"/sessions/{SESSION}/enrolments", 422,
                 "Unprocessable Entity", slug="validation-failed", errors={
                     "participants": {"1": {"gender": ["Must be one of: female, male."],
                                            "email": ["Not a valid email address."]}}})
    page = client.get(f"/sme/enrol/{SESSION}")

    # The second participant sent is on the form's third row (the second is blank).
    response = client.post(f"/sme/enrol/{SESSION}",
                           data=team_form(page.data, {0: ANI, 1: {}, 2: CITRA}))

    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="f-participants-2-gender"[^>]*aria-invalid="true"', text)
    assert re.search(r'id="participants-2-email-error">Enter a valid email address\.', text)
    assert not re.search(r'id="f-participants-1-gender"[^>]*aria-invalid', text)
    assert 'value="Citra Dewi"' in text


def test_the_service_error_names_map_row_for_row(client, owner):
    owner.refuse("enrolment", "POST", f"/sessions/{SESSION}/enrolments", 422,
                 "Unprocessable Entity", slug="validation-failed", errors={
                     "participants": {"1": {"gender": ["Must be one of: female, male."]}}})
    page = client.get(f"/sme/enrol/{SESSION}")

    text = client.post(f"/sme/enrol/{SESSION}", data=team_form(
        page.data, {0: ANI, 1: BUDI, 2: CITRA})).get_data(as_text=True)

    # participants.1.gender is the second row's gender field.
    assert re.search(r'id="f-participants-1-gender"[^>]*aria-invalid="true"', text)
    assert 'id="participants-1-gender-error">Choose one of the options.' in text


def test_a_full_session_offers_its_waiting_list(client, owner):
    owner.refuse("enrolment", "POST", f"/sessions/{SESSION}/enrolments", 409, "Session full",
                 "3 seats asked, 1 free", slug="session-full",
                 errors={"participants": ["the team does not fit in the seats left"]})
    page = client.get(f"/sme/enrol/{SESSION}")
    data = team_form(page.data, {0: ANI, 1: BUDI})

    response = client.post(f"/sme/enrol/{SESSION}", data=data)

    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Join the waiting list" in text and 'value="waitlist"' in text
    owner.answer("enrolment", "POST", f"/sessions/{SESSION}/enrolments",
                 {"id": "9", "status": "waiting", "position": 2, "session_id": SESSION}, 202)
    response = client.post(f"/sme/enrol/{SESSION}", data={**data, "action": "waitlist"})
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/sme/enrolments")
    assert owner.sent("enrolment", "POST")[-1].body["join_waitlist_if_full"] is True


def test_live_validation_answers_the_errors_per_field(client, owner):
    page = client.get(f"/sme/enrol/{SESSION}")

    answer = client.post(f"/sme/enrol/{SESSION}/check", data=team_form(
        page.data, {0: {**ANI, "gender": ""}})).get_json()

    assert list(answer["errors"]) == ["participants.0.gender"]
    assert "2 to 4 participants" in answer["summary"]


# ------------------------------------------------------------------ paying


def test_the_pay_page_shows_the_price_and_what_sponsors_would_pay(client, owner):
    owner.answer("enrolment", "GET", f"/enrolments/{ENROLMENT}", enrolment())
    owner.answer("sponsorship", "POST", "/quotes", QUOTE)

    page = client.get(f"/sme/enrolments/{ENROLMENT}/pay").get_data(as_text=True)

    assert "IDR5,000,000" in page and "IDR2,500,000" in page
    assert "Pay by card" in page and "Get an invoice" in page
    (quote,) = owner.sent("sponsorship", "POST", "/quotes")
    assert "reserve" not in quote.body and quote.body["team"]["participants"] == 2


def test_paying_by_card_sends_the_browser_to_the_checkout(client, owner):
    owner.answer("enrolment", "GET", f"/enrolments/{ENROLMENT}", enrolment())
    owner.answer("sponsorship", "POST", "/quotes", QUOTE)
    owner.answer("enrolment", "POST", f"/enrolments/{ENROLMENT}/checkout", {
        "checkout_url": f"http://127.0.0.1:5002/sandbox/checkout/{PAYMENT}",
        "payment": {"id": PAYMENT}}, 201)
    page = client.get(f"/sme/enrolments/{ENROLMENT}/pay")

    response = client.post(f"/sme/enrolments/{ENROLMENT}/pay", data={
        "csrf_token": csrf_of(page.data), "form_key": "pay-key-1234", "method": "card"})

    assert response.status_code == 303
    assert response.headers["Location"] == f"http://127.0.0.1:5002/sandbox/checkout/{PAYMENT}"
    (sent,) = owner.sent("enrolment", "POST", f"/enrolments/{ENROLMENT}/checkout")
    assert sent.headers["Idempotency-Key"] == "pay-key-1234"


def test_nothing_to_pay_confirms_at_once(client, owner):
    owner.answer("enrolment", "GET", f"/enrolments/{ENROLMENT}", enrolment())
    owner.answer("sponsorship", "POST", "/quotes", QUOTE)
    owner.answer("enrolment", "POST", f"/enrolments/{ENROLMENT}/checkout", None, 204)
    page = client.get(f"/sme/enrolments/{ENROLMENT}/pay")

    response = client.post(f"/sme/enrolments/{ENROLMENT}/pay", data={
        "csrf_token": csrf_of(page.data), "method": "card"})

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/sme/enrolments/{ENROLMENT}")


def test_a_refused_checkout_is_said_on_the_pay_page(client, owner):
    owner.answer("enrolment", "GET", f"/enrolments/{ENROLMENT}", enrolment())
    owner.answer("sponsorship", "POST", "/quotes", QUOTE)
    owner.refuse("enrolment", "POST", f"/enrolments/{ENROLMENT}/checkout", 409,
                 "Conflict", "the hold has expired", slug="invalid-transition")
    page = client.get(f"/sme/enrolments/{ENROLMENT}/pay")

    response = client.post(f"/sme/enrolments/{ENROLMENT}/pay", data={
        "csrf_token": csrf_of(page.data), "method": "card"})

    assert response.status_code == 409
    assert "not possible in its current state" in response.get_data(as_text=True)


INVOICE = {"id": PAYMENT, "enrolment_id": ENROLMENT, "provider_id": "prov-1",
           "method": "bank_transfer", "gateway": "bank", "status": "pending",
           "amount": 2_500_000, "currency": "IDR", "invoice_number": "INV-2026-0042",
           "payment_reference": "SCORE-42-7", "due_date": "2026-12-27",
           "created_at": "2026-12-20T03:00:00+00:00", "participants": 2,
           "price_per_participant": 2_500_000, "session": OFFERED,
           "sme": {"id": SME, "legal_name": "CV Tenun Nusantara", "npwp": None,
                   "address": "Jl. Industri 35", "city": "Bandung"}}


def test_paying_by_bank_transfer_shows_the_invoice_after_the_sponsor_share(client, owner):
    owner.answer("enrolment", "GET", f"/enrolments/{ENROLMENT}", enrolment())
    owner.answer("sponsorship", "POST", "/quotes", QUOTE)
    owner.answer("enrolment", "POST", f"/enrolments/{ENROLMENT}/invoice", INVOICE, 201)
    page = client.get(f"/sme/enrolments/{ENROLMENT}/pay")

    response = client.post(f"/sme/enrolments/{ENROLMENT}/pay", data={
        "csrf_token": csrf_of(page.data), "method": "bank"})

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/sme/invoices/{PAYMENT}")
    owner.answer("enrolment", "GET", f"/invoices/{PAYMENT}", INVOICE)
    owner.answer("enrolment", "GET", f"/enrolments/{ENROLMENT}", enrolment(
        "awaiting_payment", sponsor_share=2_500_000, sme_share=2_500_000))
    owner.answer("catalog", "GET", "/providers/prov-1", {
        "id": "prov-1", "legal_name": "Pro Serve Indonesia", "email": "pay@proserve.example"})
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "INV-2026-0042" in text and "SCORE-42-7" in text
    assert "Pro Serve Indonesia" in text and "pay@proserve.example" in text
    assert text.count("IDR2,500,000") >= 2 and "IDR5,000,000" in text
    assert f"/sme/invoices/{PAYMENT}/print" in text


def test_the_printable_invoice_is_relayed_with_the_users_token(client, owner, monkeypatch):
    owner.answer("enrolment", "GET", f"/invoices/{PAYMENT}", INVOICE)
    html = "<!doctype html><html lang='id'><body><h1>Faktur INV-2026-0042</h1></body></html>"
    send = owner.send

    def relay(request, **kwargs):
        if request.url.endswith(f"/invoices/{PAYMENT}/print"):
            owner.requests.append(type(owner.requests[0])(
                "GET", "enrolment", f"/invoices/{PAYMENT}/print", {}, dict(request.headers),
                None))
            response = requests.Response()
            response.status_code, response._content = 200, html.encode()
            response.headers = CaseInsensitiveDict({"Content-Type": "text/html; charset=utf-8"})
            response.url, response.request, response.reason = request.url, request, "OK"
            return response
        return send(request, **kwargs)

    monkeypatch.setattr(owner, "send", relay)

    response = client.get(f"/sme/invoices/{PAYMENT}/print")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.get_data(as_text=True) == html
    assert "style-src 'unsafe-inline'" in response.headers["Content-Security-Policy"]
    (relayed,) = owner.sent("enrolment", "GET", f"/invoices/{PAYMENT}/print")
    assert relayed.headers["Authorization"].startswith("Bearer ")
    assert relayed.headers["Accept"] == "text/html"


def test_another_smes_enrolment_or_invoice_is_not_found(client, owner):
    owner.answer("enrolment", "GET", f"/enrolments/{ENROLMENT}", enrolment(sme=OTHER_SME))
    owner.answer("enrolment", "GET", f"/invoices/{PAYMENT}", {
        **INVOICE, "sme": {**INVOICE["sme"], "id": OTHER_SME}})

    assert client.get(f"/sme/enrolments/{ENROLMENT}").status_code == 404
    assert client.get(f"/sme/enrolments/{ENROLMENT}/pay").status_code == 404
    assert client.get(f"/sme/invoices/{PAYMENT}").status_code == 404
    assert client.get(f"/sme/invoices/{PAYMENT}/print").status_code == 404
    assert not owner.sent("enrolment", "GET", f"/invoices/{PAYMENT}/print")
    assert not owner.sent("sponsorship")


# ------------------------------------------------------------------ one enrolment


def test_an_enrolment_shows_team_attendance_visits_and_the_return_from_checkout(
        client, owner):
    owner.answer("enrolment", "GET", f"/enrolments/{ENROLMENT}", enrolment(
        "confirmed", expires_at=None, sponsor_share=2_500_000, sme_share=2_500_000,
        payments=[{"id": PAYMENT, "method": "card", "gateway": "sandbox", "status": "paid",
                   "amount": 2_500_000, "invoice_number": None, "refund_amount": None}]))
    owner.answer("enrolment", "GET", f"/enrolments/{ENROLMENT}/attendance", {
        "classroom_days": 2, "days_required": 2, "participants": [
            {"participant_id": "p-1", "days_present": 2, "completed": True},
            {"participant_id": "p-2", "days_present": 1, "completed": False}]})
    owner.answer("enrolment", "GET", f"/enrolments/{ENROLMENT}/visits", {
        "visits_recorded": 1, "visits_required": 2, "items": [
            {"id": "v-1", "status": "recorded", "scheduled_on": "2027-01-20",
             "visited_on": "2027-01-21", "topics": ["5S on the floor"]}]})

    page = client.get(f"/sme/enrolments/{ENROLMENT}?returned=done").get_data(as_text=True)

    assert "Payment received: your team is confirmed." in page
    assert 'class="badge ok">Confirmed' in page and 'class="badge ok">Paid' in page
    assert "Ani Lestari" in page and "2 of 2" in page and "1 of 2" in page
    assert "1 of 2 visits took place." in page and "5S on the floor" in page
    assert "IDR2,500,000" in page and "Cancel the enrolment" in page


def test_cancelling_sends_the_reason_and_a_short_one_is_refused_here(client, owner):
    owner.answer("enrolment", "GET", f"/enrolments/{ENROLMENT}", enrolment())
    page = client.get(f"/sme/enrolments/{ENROLMENT}")
    assert "data-confirm=" in page.get_data(as_text=True)

    short = client.post(f"/sme/enrolments/{ENROLMENT}/cancel", data={
        "csrf_token": csrf_of(page.data), "reason": "x"})
    assert short.status_code == 422 and not owner.sent("enrolment", "POST")

    owner.answer("enrolment", "POST", f"/enrolments/{ENROLMENT}/cancel",
                 enrolment("cancelled"))
    done = client.post(f"/sme/enrolments/{ENROLMENT}/cancel", data={
        "csrf_token": csrf_of(page.data), "reason": "the owner is ill"})
    assert done.status_code == 303
    (sent,) = owner.sent("enrolment", "POST", f"/enrolments/{ENROLMENT}/cancel")
    assert sent.body == {"reason": "the owner is ill"}


# ------------------------------------------------------------------ KPIs and certificates


KPI_REPORT = {"sme_id": SME, "kpis": [
    {"kpi": "productivity", "name_id": "Produktivitas", "name_en": "Productivity",
     "unit": "output per worker hour", "direction": "higher_is_better",
     "baseline": {"id": "k-1", "kpi": "productivity", "kind": "baseline", "value": "13.6",
                  "period_start": "2026-06-01", "period_end": "2026-08-31"},
     "latest_follow_up": {"id": "k-2", "kpi": "productivity", "kind": "follow_up",
                          "value": "16.4", "period_start": "2026-10-01",
                          "period_end": "2026-11-15"},
     "change": "2.8", "change_percent": "20.6", "improved": True},
    {"kpi": "defect_rate", "name_id": "Tingkat cacat", "name_en": "Defect rate", "unit": "%",
     "direction": "lower_is_better", "baseline": None, "latest_follow_up": None,
     "change": None, "change_percent": None, "improved": None}]}


@pytest.fixture
def kpis(owner):
    owner.answer("enrolment", "GET", "/kpis", {"items": [
        {"code": "productivity", "name_id": "Produktivitas", "name_en": "Productivity",
         "unit": "output per worker hour", "direction": "higher_is_better"},
        {"code": "defect_rate", "name_id": "Tingkat cacat", "name_en": "Defect rate",
         "unit": "%", "direction": "lower_is_better"}]})
    owner.answer("enrolment", "GET", f"/smes/{SME}/kpis/report", KPI_REPORT)
    owner.answer("enrolment", "GET", f"/smes/{SME}/kpis", {"items": [
        {**KPI_REPORT["kpis"][0]["baseline"], "method": "logs", "superseded_by": None},
        {**KPI_REPORT["kpis"][0]["latest_follow_up"], "method": "logs",
         "superseded_by": None}]})
    return owner


def test_kpis_are_charted_baseline_against_latest(client, kpis):
    page = client.get("/sme/kpis").get_data(as_text=True)

    assert page.count('role="img"') == 1  # no baseline, no chart for the defect rate
    assert "Productivity" in page and "Change: 2.8 output per worker hour" in page
    assert "20.6%" in page and 'name="value"' in page
    assert '<option value="k-1">' in page  # a report may be corrected
    for path in ("/kpis", f"/smes/{SME}/kpis/report", f"/smes/{SME}/kpis"):
        assert kpis.sent("enrolment", "GET", path), path


def test_reporting_a_kpi_sends_it_and_a_refusal_lands_at_its_field(client, kpis):
    page = client.get("/sme/kpis")
    form = {"csrf_token": csrf_of(page.data), "form_key": "kpi-key-12345", "kpi": "defect_rate",
            "kind": "baseline", "period_start": "2026-06-01", "period_end": "2026-08-31",
            "method": "QC book", "value": "6,4", "note": "", "corrects": ""}
    kpis.answer("enrolment", "POST", f"/smes/{SME}/kpis", {"id": "k-3"}, 201)

    assert client.post("/sme/kpis", data=form).status_code == 303
    (sent,) = kpis.sent("enrolment", "POST", f"/smes/{SME}/kpis")
    assert sent.body == {"kpi": "defect_rate", "kind": "baseline", "period_start": "2026-06-01",
                         "period_end": "2026-08-31", "method": "QC book", "value": "6.4",
                         "note": None, "corrects": None}
    assert sent.headers["Idempotency-Key"] == "kpi-key-12345"

    kpis.refuse("enrolment", "POST", f"/smes/{SME}/kpis", 422, "Unprocessable Entity",
                slug="validation-failed",
                errors={"period_end": ["Not a valid date."]})
    refused = client.post("/sme/kpis", data=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="period_end-error">Enter a valid date.' in text and 'value="QC book"' in text


CERTIFICATE = {"id": CREDENTIAL, "module_code": "M1", "subject_name": "Ani Lestari",
               "enrolment_id": ENROLMENT, "participant_id": "p-1", "valid_from": "2026-10-17",
               "issued_at": "2026-10-17T10:00:00+00:00", "revoked": False,
               "token": "eyJhbGciOiJFZERTQSJ9.e30.sig"}


def test_certificates_of_the_smes_people_link_to_verification_and_downloads(client, owner):
    owner.answer("certification", "GET", f"/smes/{SME}/credentials", {"items": [CERTIFICATE]})

    page = client.get("/sme/certificates").get_data(as_text=True)

    assert "Ani Lestari" in page and "Valid" in page
    assert f"/verify?credential={CREDENTIAL}" in page
    jwt = client.get(f"/sme/certificates/{CREDENTIAL}.jwt")
    assert jwt.get_data(as_text=True) == CERTIFICATE["token"]
    assert "attachment" in jwt.headers["Content-Disposition"]
    owner.answer("certification", "GET", f"/credentials/{CREDENTIAL}", {
        "id": CREDENTIAL, "credential": {"type": ["VerifiableCredential"]}})
    document = client.get(f"/sme/certificates/{CREDENTIAL}.json")
    assert document.get_json() == {"type": ["VerifiableCredential"]}


def test_a_certificate_not_of_the_smes_people_is_not_found(client, owner):
    owner.answer("certification", "GET", f"/smes/{SME}/credentials", {"items": []})

    other = "d0d0d0d0-1234-4abc-8def-0123456789ab"
    assert client.get(f"/sme/certificates/{other}.jwt").status_code == 404
    assert client.get(f"/sme/certificates/{other}.json").status_code == 404
    assert not owner.sent("certification", "GET", f"/credentials/{other}")


def test_a_second_enrolment_in_the_same_session_is_explained(client, owner):
    owner.refuse("enrolment", "POST", f"/sessions/{SESSION}/enrolments", 409, "Conflict",
                 "already enrolled", slug="conflict", errors={
                     "session_id": ["your SME already has an open enrolment in this session"]})
    page = client.get(f"/sme/enrol/{SESSION}")

    response = client.post(f"/sme/enrol/{SESSION}", data=team_form(page.data, {0: ANI, 1: BUDI}))

    assert response.status_code == 409
    assert "already has an open enrolment or a waiting-list place" in response.get_data(
        as_text=True)


def test_a_session_no_longer_published_takes_no_enrolment(client, owner):
    owner.answer("catalog", "GET", f"/sessions/{SESSION}", {**CATALOG_SESSION,
                                                            "status": "in_progress"})

    page = client.get(f"/sme/enrol/{SESSION}").get_data(as_text=True)

    assert "no longer takes enrolments" in page and 'value="enrol"' not in page


def test_a_nib_registered_already_is_said_at_the_nib(client, sign_in, services, english):
    services.answer("catalog", "GET", "/provinces", {"items": []})
    sign_in("sme_user", None)
    page = client.get("/sme/register")
    services.refuse("enrolment", "POST", "/smes", 409, "Conflict",
                    "an SME with this NIB is registered", slug="conflict",
                    errors={"nib": ["an SME with this NIB is registered"]})

    response = client.post("/sme/register", data={**REGISTRATION,
                                                  "csrf_token": csrf_of(page.data)})

    assert response.status_code == 422
    assert 'id="nib-error">An enterprise with this NIB is already registered.' in (
        response.get_data(as_text=True))


def test_an_sme_this_account_registered_already_is_waited_for(
        client, sign_in, services, monkeypatch, english):
    monkeypatch.setattr(sme_pages, "SETUP_WAIT_S", 0.0)
    services.answer("catalog", "GET", "/provinces", {"items": []})
    sign_in("sme_user", None)
    page = client.get("/sme/register")
    services.refuse("enrolment", "POST", "/smes", 409, "Conflict",
                    "you have already registered SME x; an account registers one SME")

    response = client.post("/sme/register", data={**REGISTRATION,
                                                  "csrf_token": csrf_of(page.data)})

    assert response.status_code == 303
    assert "being set up" in client.get("/sme/register").get_data(as_text=True)
