"""The sponsor pages: registration, funds and their ledger, the offer editor with its live
check, reports with their CSV; every call names the user's own sponsor only."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from services import portal
from services.portal.backend import Backend
from tests.portal.conftest import csrf_of
from tests.portal.fakes import SERVICES, session_for
from tests.support.apps import base_config, migrated_sqlite

SPONSOR = "sp-1"
FUND = "11111111-1111-4111-8111-111111111111"
OTHER_FUND = "22222222-2222-4222-8222-222222222222"
OFFER = "33333333-3333-4333-8333-333333333333"
NEW_OFFER = "44444444-4444-4444-8444-444444444444"
PROVIDER = "55555555-5555-4555-8555-555555555555"
BALANCE = {"deposited": 100_000_000, "adjusted": -1_000_000, "reserved": 6_000_000,
           "committed": 24_000_000, "available": 69_000_000}
FUND_BODY = {"id": FUND, "sponsor_id": SPONSOR, "name": "APBN 2027", "unit": "IDR",
             "valid_from": "2027-01-01", "valid_until": "2027-12-31", "status": "open",
             "closed_reason": None, "balance": BALANCE, "created_at": "2026-11-01T02:00:00Z"}
OFFER_BODY = {"id": OFFER, "fund_id": FUND, "sponsor_id": SPONSOR,
              "title": "Half the fee in West Java", "description": None, "stackable": False,
              "rules": {"share_percent": 50, "sme_provinces": ["32"], "modules": ["M1"],
                        "kbli_prefixes": ["10", "131"], "sme_cap": {"seats": 8}},
              "status": "draft", "status_reason": None, "published_at": None,
              "created_at": "2026-11-02T02:00:00Z"}
MEASURES = {"committed_amount": 24_000_000, "teams": 6, "smes": 5, "seats": 20,
            "participants": 22, "women": 10, "men": 12, "women_share_percent": 45.5,
            "completed_teams": 2, "completed_participants": 8, "pending_teams": 1,
            "pending_seats": 4, "pending_amount": 6_000_000, "reversed_teams": 0,
            "reversed_amount": 0}


@pytest.fixture(scope="module")
def portal_app(tmp_path_factory, signing_key):
    """One portal app for the module (each test: its own browser and faked services)."""
    directory = tmp_path_factory.mktemp("portal")
    url = migrated_sqlite(portal.runtime(), directory)
    application = portal.create_app(base_config(directory, signing_key, database_url=url))
    yield application
    application.extensions["score_db"].dispose()


@pytest.fixture
def app(portal_app, services):
    """The module's app, its services faked afresh for the test."""
    portal_app.extensions["portal_backend"] = Backend(
        {name: f"http://{name}" for name in SERVICES}, 5, http=session_for(services))
    return portal_app


@pytest.fixture
def sponsor_staff(client, sign_in, services):
    """Signed in (in English) as staff of ``SPONSOR``, its services answering."""
    sign_in("sponsor_staff", SPONSOR, "sponsor")
    client.set_cookie("score_lang", "en")
    services.answer("sponsorship", "GET", f"/sponsors/{SPONSOR}", {
        "id": SPONSOR, "name": "Kemnaker", "kind": "ministry", "status": "approved",
        "status_reason": None})
    services.answer("sponsorship", "GET", f"/sponsors/{SPONSOR}/funds",
                    {"items": [FUND_BODY], "next_cursor": None})
    services.answer("sponsorship", "GET", f"/funds/{FUND}", FUND_BODY)
    services.answer("sponsorship", "GET", f"/funds/{FUND}/transactions", {"items": [
        {"id": 2, "fund_id": FUND, "kind": "commit", "amount": 0, "idempotency_key":
         "commit:r-1:f", "reservation_id": "r-1", "sme_id": "s", "reason": None,
         "created_by": "system", "created_at": "2027-02-01T03:00:00Z"},
        {"id": 1, "fund_id": FUND, "kind": "deposit", "amount": 100_000_000,
         "idempotency_key": "deposit:APBN-1", "reservation_id": None, "sme_id": None,
         "reason": None, "created_by": "user-1", "created_at": "2027-01-02T03:00:00Z"}],
        "next_cursor": "abc"})
    services.answer("catalog", "GET", "/modules", {"items": [
        {"code": "M1", "name_en": "Workplace Cooperation", "name_id": "Kerja Sama"},
        {"code": "M5", "name_en": "Safety and Health", "name_id": "K3"}]})
    services.answer("catalog", "GET", "/provinces", {"items": [
        {"bps_code": "32", "name": "Jawa Barat"}, {"bps_code": "35", "name": "Jawa Timur"}]})
    services.answer("catalog", "GET", "/providers", {"items": [
        {"id": PROVIDER, "legal_name": "PT Pelatihan Maju"}]})
    return services


def page_of(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response.get_data(as_text=True)


def form_data(page: str, **fields) -> dict:
    key = re.search(r'name="form_key" value="([^"]+)"', page)
    return {"csrf_token": csrf_of(page), "form_key": key.group(1) if key else "", **fields}


def sponsorship_paths(services) -> set[str]:
    return {r.path for r in services.sent("sponsorship")}


# -- registration ------------------------------------------------------------------------

def test_a_user_without_a_sponsor_registers_it_and_acts_for_it_once_the_event_arrived(
        client, sign_in, services, auth):
    sign_in("sponsor_staff", None)
    client.set_cookie("score_lang", "en")
    assert client.get("/sponsor/").headers["Location"].endswith("/sponsor/register")
    page = page_of(client, "/sponsor/register")
    assert 'value="siti@example.id"' in page  # the contact is the user, to begin with
    services.answer("sponsorship", "POST", "/sponsors", {"id": SPONSOR, "status": "pending"},
                    201)
    member = auth("sponsor_staff", SPONSOR, "sponsor")["Authorization"].split()[1]
    services.answer("identity", "POST", "/oauth/token", {
        "access_token": member, "expires_in": 300, "refresh_token": "refresh-2"})

    response = client.post("/sponsor/register", data=form_data(
        page, name="Kemnaker", kind="ministry", contact_name="Ibu Rina",
        contact_email="rina@kemnaker.example", contact_phone="+62 21 555 0100"))

    assert response.status_code == 303 and response.headers["Location"] == "/sponsor/"
    (sent,) = services.sent("sponsorship", "POST", "/sponsors")
    assert sent.body == {"name": "Kemnaker", "kind": "ministry", "contact_name": "Ibu Rina",
                         "contact_email": "rina@kemnaker.example",
                         "contact_phone": "+62 21 555 0100"}
    assert len(sent.headers["Idempotency-Key"]) >= 16
    services.answer("sponsorship", "GET", f"/sponsors/{SPONSOR}", {
        "id": SPONSOR, "name": "Kemnaker", "kind": "ministry", "status": "pending"})
    services.answer("sponsorship", "GET", f"/sponsors/{SPONSOR}/funds", {"items": []})
    home = page_of(client, "/sponsor/")
    assert "awaiting platform admin approval" in home
    assert "Open a fund" not in home


def test_a_membership_that_is_late_is_waited_for_on_the_page(client, sign_in, services,
                                                              monkeypatch):
    from services.portal.web.sponsor import funds

    monkeypatch.setattr(funds, "MEMBERSHIP_WAIT_S", 0)
    sign_in("sponsor_staff", None)
    client.set_cookie("score_lang", "en")
    page = page_of(client, "/sponsor/register")
    services.answer("sponsorship", "POST", "/sponsors", {"id": SPONSOR}, 201)

    response = client.post("/sponsor/register", data=form_data(
        page, name="Kemnaker", kind="ministry", contact_name="Ibu Rina",
        contact_email="rina@kemnaker.example", contact_phone="+62 21 555 0100"))

    assert response.headers["Location"] == "/sponsor/register"
    waiting = page_of(client, "/sponsor/register")
    assert "awaiting platform admin approval" in waiting and 'name="name"' not in waiting


def test_a_registration_sent_before_waits_for_its_membership_again(client, sign_in,
                                                                  services, auth):
    sign_in("sponsor_staff", None)
    page = page_of(client, "/sponsor/register")
    services.refuse("sponsorship", "POST", "/sponsors", 409, "Conflict",
                    "this account already registered a sponsor")
    member = auth("sponsor_staff", SPONSOR, "sponsor")["Authorization"].split()[1]
    services.answer("identity", "POST", "/oauth/token", {
        "access_token": member, "expires_in": 300, "refresh_token": "refresh-2"})

    response = client.post("/sponsor/register", data=form_data(
        page, name="Kemnaker", kind="ministry", contact_name="Ibu Rina",
        contact_email="rina@kemnaker.example", contact_phone="+62 21 555 0100"))

    assert response.headers["Location"] == "/sponsor/"


def test_a_refused_registration_says_why_next_to_the_field_and_keeps_what_was_typed(
        client, sign_in, services):
    sign_in("sponsor_staff", None)
    client.set_cookie("score_lang", "en")
    page = page_of(client, "/sponsor/register")
    services.refuse("sponsorship", "POST", "/sponsors", 422, "Validation failed",
                    errors={"contact_phone": ["String does not match expected pattern."]})

    response = client.post("/sponsor/register", data=form_data(
        page, name="Kemnaker", kind="donor", contact_name="Ibu Rina",
        contact_email="rina@kemnaker.example", contact_phone="call me"))

    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert re.search(r'id="contact_phone-error">The format is not valid\.', text)
    assert 'value="call me"' in text and 'value="Kemnaker"' in text
    assert '<option value="donor" selected>' in text


# -- funds ------------------------------------------------------------------------------

def test_the_funds_page_shows_balances_of_the_users_own_sponsor_only(client, sponsor_staff):
    page = page_of(client, "/sponsor/")

    assert "APBN 2027" in page and "IDR69,000,000" in page and "IDR99,000,000" in page
    assert sponsorship_paths(sponsor_staff) == {f"/sponsors/{SPONSOR}",
                                                f"/sponsors/{SPONSOR}/funds"}
    (funds,) = sponsor_staff.sent("sponsorship", "GET", f"/sponsors/{SPONSOR}/funds")
    assert funds.headers["Authorization"].startswith("Bearer eyJ")


def test_a_fund_shows_its_balance_and_a_page_of_its_ledger(client, sponsor_staff):
    page = page_of(client, f"/sponsor/funds/{FUND}?kind=deposit&cursor=xyz")

    assert "IDR69,000,000" in page and "deposit:APBN-1" in page and "Committed" in page
    (ledger,) = sponsor_staff.sent("sponsorship", "GET", f"/funds/{FUND}/transactions")
    assert ledger.query == {"limit": ["20"], "cursor": ["xyz"], "kind": ["deposit"]}
    assert "cursor=abc" in page  # the next page


def test_another_sponsors_fund_looks_absent(client, sponsor_staff):
    sponsor_staff.answer("sponsorship", "GET", f"/funds/{OTHER_FUND}",
                         {**FUND_BODY, "id": OTHER_FUND, "sponsor_id": "sp-2"})

    assert client.get(f"/sponsor/funds/{OTHER_FUND}").status_code == 404
    page = page_of(client, f"/sponsor/funds/{FUND}")
    assert client.post(f"/sponsor/funds/{OTHER_FUND}/deposit", data=form_data(
        page, deposit_amount="5", deposit_reference="X-1")).status_code == 404
    assert not sponsor_staff.sent("sponsorship", "GET", f"/funds/{OTHER_FUND}/transactions")
    assert not sponsor_staff.sent("sponsorship", "POST")


def test_a_deposit_is_booked_once_per_form_with_the_amount_in_rupiah(client, sponsor_staff):
    page = page_of(client, f"/sponsor/funds/{FUND}")
    sponsor_staff.answer("sponsorship", "POST", f"/funds/{FUND}/deposits", FUND_BODY, 201)
    data = form_data(page, deposit_amount="Rp 2.500.000", deposit_reference="SP2D-0042",
                     deposit_reason="")

    response = client.post(f"/sponsor/funds/{FUND}/deposit", data=data)

    assert response.status_code == 303
    (sent,) = sponsor_staff.sent("sponsorship", "POST", f"/funds/{FUND}/deposits")
    assert sent.body == {"amount": 2_500_000, "reference": "SP2D-0042"}
    assert sent.headers["Idempotency-Key"] == data["form_key"]
    assert "The deposit is booked." in page_of(client, f"/sponsor/funds/{FUND}")


def test_a_reference_booked_before_is_said_to_change_nothing(client, sponsor_staff):
    page = page_of(client, f"/sponsor/funds/{FUND}")
    sponsor_staff.answer("sponsorship", "POST", f"/funds/{FUND}/deposits", FUND_BODY, 200)

    client.post(f"/sponsor/funds/{FUND}/deposit", data=form_data(
        page, deposit_amount="5000", deposit_reference="SP2D-0042"))

    assert "booked before: nothing changed" in page_of(client, f"/sponsor/funds/{FUND}")


def test_a_refused_adjustment_says_why_and_keeps_what_was_typed(client, sponsor_staff):
    page = page_of(client, f"/sponsor/funds/{FUND}")
    sponsor_staff.refuse("sponsorship", "POST", f"/funds/{FUND}/adjustments", 409, "Conflict",
                         "the fund has 69000000 available, 70000000 asked",
                         errors={"amount": ["at most 69000000 available"]})

    response = client.post(f"/sponsor/funds/{FUND}/adjust", data=form_data(
        page, adjust_amount="-70.000.000", adjust_reference="KOREKSI-1",
        adjust_reason="budget cut"))

    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert re.search(r'id="adjust_amount-error">At most 69,000,000 is available\.', text)
    assert 'value="-70.000.000"' in text and "budget cut" in text
    (sent,) = sponsor_staff.sent("sponsorship", "POST", f"/funds/{FUND}/adjustments")
    assert sent.body == {"amount": -70_000_000, "reference": "KOREKSI-1",
                         "reason": "budget cut"}


def test_closing_a_fund_sends_the_reason_and_asks_first(client, sponsor_staff):
    page = page_of(client, f"/sponsor/funds/{FUND}")
    assert re.search(r'action="/sponsor/funds/[^"]+/close" data-confirm="', page)
    sponsor_staff.answer("sponsorship", "POST", f"/funds/{FUND}/close",
                         {**FUND_BODY, "status": "closed"})

    client.post(f"/sponsor/funds/{FUND}/close", data=form_data(page, close_reason="year end"))

    (sent,) = sponsor_staff.sent("sponsorship", "POST", f"/funds/{FUND}/close")
    assert sent.body == {"reason": "year end"}


def test_a_new_fund_is_opened_with_its_first_deposit(client, sponsor_staff):
    page = page_of(client, "/sponsor/funds/new")
    sponsor_staff.answer("sponsorship", "POST", f"/sponsors/{SPONSOR}/funds", FUND_BODY, 201)

    response = client.post("/sponsor/funds/new", data=form_data(
        page, name="APBN 2027", unit="IDR", valid_from="2027-01-01", valid_until="2027-12-31",
        deposit_amount="100.000.000", deposit_reference="DIPA-2027"))

    assert response.headers["Location"] == f"/sponsor/funds/{FUND}"
    (sent,) = sponsor_staff.sent("sponsorship", "POST", f"/sponsors/{SPONSOR}/funds")
    assert sent.body == {"name": "APBN 2027", "unit": "IDR", "valid_from": "2027-01-01",
                         "valid_until": "2027-12-31", "initial_deposit": {
                             "amount": 100_000_000, "reference": "DIPA-2027"}}


def test_a_refused_new_fund_puts_each_error_next_to_its_field(client, sponsor_staff):
    page = page_of(client, "/sponsor/funds/new")
    sponsor_staff.refuse("sponsorship", "POST", f"/sponsors/{SPONSOR}/funds", 422,
                         "Validation failed", errors={
                             "valid_until": ["must not be before valid_from"],
                             "initial_deposit": {"reference": ["Length must be between 3 and "
                                                               "100."]}})

    response = client.post("/sponsor/funds/new", data=form_data(
        page, name="APBN", unit="seats", valid_from="2027-02-01", valid_until="2027-01-01",
        deposit_amount="40", deposit_reference="X"))

    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert re.search(r'id="valid_until-error">Must not be before the first day\.', text)
    assert re.search(r'id="deposit_reference-error">Enter between 3 and 100', text)
    assert 'value="2027-01-01"' in text and '<option value="seats" selected>' in text


# -- offers -----------------------------------------------------------------------------

EDITOR = {"fund_id": FUND, "title": "  Women-led teams in Java ", "description": "",
          "stackable": "true", "sme_provinces": ["32", "35"], "session_provinces": ["32"],
          "kbli_prefixes": "10, 131;14", "size_classes": ["micro", "small"],
          "modules": ["M1"], "providers": [PROVIDER], "smes": "", "ilo_supervised_only": "true",
          "share_percent": "60", "cap_per_participant": "2.500.000", "sme_cap_seats": "",
          "sme_cap_amount": "10.000.000", "min_women_percent": "30", "min_managers": "1",
          "min_workers": "", "valid_from": "2027-01-01", "valid_until": "2027-06-30"}
DRAFT = {"title": "Women-led teams in Java", "stackable": True, "rules": {
    "sme_provinces": ["32", "35"], "session_provinces": ["32"], "size_classes": ["micro", "small"],
    "modules": ["M1"], "providers": [PROVIDER], "kbli_prefixes": ["10", "131", "14"],
    "share_percent": 60, "min_women_percent": 30, "min_managers": 1,
    "cap_per_participant": 2_500_000, "valid_from": "2027-01-01", "valid_until": "2027-06-30",
    "ilo_supervised_only": True, "sme_cap": {"amount": 10_000_000}}}


def test_the_offers_list_asks_for_the_users_own_offers_in_every_state(client, sponsor_staff):
    sponsor_staff.answer("sponsorship", "GET", "/offers", {"items": [OFFER_BODY]})

    page = page_of(client, "/sponsor/offers")

    assert "Half the fee in West Java" in page and "Draft" in page and "APBN 2027" in page
    asked = sponsor_staff.sent("sponsorship", "GET", "/offers")
    assert sorted(r.query["status"][0] for r in asked) == ["draft", "published", "withdrawn"]
    assert {r.query["sponsor_id"][0] for r in asked} == {SPONSOR}


def test_the_editor_lists_every_rule_and_checks_itself_as_it_is_typed(client, sponsor_staff):
    page = page_of(client, f"/sponsor/offers/new?fund={FUND}")

    assert 'data-validate-url="/sponsor/offers/validate"' in page
    for name in ("sme_provinces", "session_provinces", "kbli_prefixes", "size_classes",
                 "modules", "providers", "smes", "ilo_supervised_only", "share_percent",
                 "cap_per_participant", "sme_cap_seats", "sme_cap_amount",
                 "min_women_percent", "min_managers", "min_workers", "valid_from",
                 "valid_until", "stackable"):
        assert f'name="{name}"' in page, name
    assert f'<option value="{FUND}" selected>' in page
    assert 'data-live-summary' in page


def test_a_draft_is_sent_as_sponsorship_reads_it(client, sponsor_staff):
    page = page_of(client, "/sponsor/offers/new")
    sponsor_staff.answer("sponsorship", "POST", f"/funds/{FUND}/offers",
                         {**OFFER_BODY, "id": NEW_OFFER}, 201)
    data = form_data(page, **EDITOR)

    response = client.post("/sponsor/offers/new", data=data)

    assert response.headers["Location"] == f"/sponsor/offers/{NEW_OFFER}"
    (sent,) = sponsor_staff.sent("sponsorship", "POST", f"/funds/{FUND}/offers")
    assert sent.body == DRAFT
    assert sent.headers["Idempotency-Key"] == data["form_key"]


REFUSAL = {"title": ["Length must be between 3 and 200."], "rules": {
    "kbli_prefixes": {"1": ["String does not match expected pattern."]},
    "sme_cap": {"_schema": ["give exactly one of seats or amount"]},
    "share_percent": ["Must be greater than or equal to 1 and less than or equal to 100."],
    "valid_until": ["must not be before valid_from"]}}


def test_a_refused_draft_puts_each_error_next_to_its_rule_and_keeps_every_choice(
        client, sponsor_staff):
    page = page_of(client, "/sponsor/offers/new")
    sponsor_staff.refuse("sponsorship", "POST", f"/funds/{FUND}/offers", 422,
                         "Validation failed", errors=REFUSAL)

    response = client.post("/sponsor/offers/new", data=form_data(page, **{
        **EDITOR, "kbli_prefixes": "10, 1x", "sme_cap_seats": "4"}))

    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert re.search(r'id="kbli_prefixes-error">1x: The format is not valid\.', text)
    assert re.search(r'id="sme_cap_seats-error">Give a cap in seats or in rupiah, not both\.',
                     text)
    assert re.search(r'id="share_percent-error">Enter a number from 1 to 100\.', text)
    assert re.search(r'id="valid_until-error">Must not be before the first day\.', text)
    assert re.search(r'id="title-error">Enter between 3 and 200 characters\.', text)
    assert 'value="10, 1x"' in text and 'value="2.500.000"' in text
    assert '<option value="35" selected>' in text and f'<option value="{PROVIDER}" selected>' \
        in text
    assert re.search(r'name="size_classes" type="checkbox" value="small" checked', text)


def validate(client, page: str, header: bool = True, **fields):
    data = form_data(page, **fields)
    headers = {"X-CSRFToken": data["csrf_token"]} if header else {}
    return client.post("/sponsor/offers/validate", data=data, headers=headers)


def test_the_live_check_answers_sponsorships_errors_by_form_field(client, sponsor_staff):
    page = page_of(client, "/sponsor/offers/new")
    sponsor_staff.answer("sponsorship", "POST", "/offer-checks",
                         {"valid": False, "errors": {**REFUSAL, "fund_id": ["fund is closed"]}})

    response = validate(client, page, **{**EDITOR, "kbli_prefixes": "10 1x"})

    assert response.status_code == 200
    answer = response.get_json()
    assert answer["errors"] == {
        "title": ["Enter between 3 and 200 characters."],
        "kbli_prefixes": ["1x: The format is not valid."],
        "sme_cap_seats": ["Give a cap in seats or in rupiah, not both."],
        "share_percent": ["Enter a number from 1 to 100."],
        "valid_until": ["Must not be before the first day."],
        "fund_id": ["This fund is closed. Choose an open fund."]}
    assert answer["summary"] == "6 fields need attention."
    (sent,) = sponsor_staff.sent("sponsorship", "POST", "/offer-checks")
    assert sent.body == {**DRAFT, "fund_id": FUND,
                         "rules": {**DRAFT["rules"], "kbli_prefixes": ["10", "1x"]}}
    assert not sponsor_staff.sent("sponsorship", "POST", f"/funds/{FUND}/offers")


def test_the_live_check_sums_up_a_good_offer_in_words(client, sponsor_staff):
    page = page_of(client, "/sponsor/offers/new")
    sponsor_staff.answer("sponsorship", "POST", "/offer-checks", {"valid": True, "errors": {}})

    answer = validate(client, page, **EDITOR).get_json()

    assert answer["errors"] == {}
    assert answer["summary"].startswith("The offer can be drafted: Pays 60% of the price")
    assert "SMEs in Jawa Barat, Jawa Timur" in answer["summary"]
    assert "at most IDR2,500,000 per participant" in answer["summary"]


def test_the_live_check_needs_the_csrf_token_in_its_header(client, sponsor_staff):
    page = page_of(client, "/sponsor/offers/new")

    without = validate(client, page, header=False, **EDITOR)
    forged = client.post("/sponsor/offers/validate", data=form_data(page, **EDITOR),
                         headers={"X-CSRFToken": "forged"})

    assert without.status_code == 400 and forged.status_code == 400
    assert without.get_json()["errors"] == {}
    assert not sponsor_staff.sent("sponsorship", "POST", "/offer-checks")


def test_editing_a_draft_drafts_the_copy_and_withdraws_the_old_draft(client, sponsor_staff):
    sponsor_staff.answer("sponsorship", "GET", f"/offers/{OFFER}", OFFER_BODY)
    page = page_of(client, f"/sponsor/offers/{OFFER}/edit")
    assert 'value="10, 131"' in page and 'value="8"' in page
    assert '<option value="32" selected>' in page
    sponsor_staff.answer("sponsorship", "POST", f"/funds/{FUND}/offers",
                         {**OFFER_BODY, "id": NEW_OFFER}, 201)
    sponsor_staff.answer("sponsorship", "POST", f"/offers/{OFFER}/withdraw",
                         {**OFFER_BODY, "status": "withdrawn"})

    response = client.post(f"/sponsor/offers/{OFFER}/edit", data=form_data(page, **EDITOR))

    assert response.headers["Location"] == f"/sponsor/offers/{NEW_OFFER}"
    assert sponsor_staff.sent("sponsorship", "POST", f"/funds/{FUND}/offers")[0].body == DRAFT
    (withdrawn,) = sponsor_staff.sent("sponsorship", "POST", f"/offers/{OFFER}/withdraw")
    assert withdrawn.body == {"reason": "Replaced by an edited draft."}


def test_an_offer_shows_its_rules_in_words_and_publishes_after_asking(client, sponsor_staff):
    sponsor_staff.answer("sponsorship", "GET", f"/offers/{OFFER}", OFFER_BODY)
    page = page_of(client, f"/sponsor/offers/{OFFER}")
    assert "Pays 50% of the price per participant" in page
    assert "SMEs in Jawa Barat" in page and "at most 8 seats per SME" in page
    assert re.search(r'action="/sponsor/offers/[^"]+/publish" class="inline" data-confirm=',
                     page)
    sponsor_staff.refuse("sponsorship", "POST", f"/offers/{OFFER}/publish", 409, "Conflict",
                         errors={"fund_id": ["fund is closed"]})

    client.post(f"/sponsor/offers/{OFFER}/publish", data=form_data(page))

    assert "This fund is closed." in page_of(client, f"/sponsor/offers/{OFFER}")


def test_a_withdrawal_needs_a_reason_and_keeps_it_when_refused(client, sponsor_staff):
    sponsor_staff.answer("sponsorship", "GET", f"/offers/{OFFER}",
                         {**OFFER_BODY, "status": "published"})
    page = page_of(client, f"/sponsor/offers/{OFFER}")
    sponsor_staff.refuse("sponsorship", "POST", f"/offers/{OFFER}/withdraw", 422,
                         "Validation failed",
                         errors={"reason": ["Length must be between 3 and 500."]})

    response = client.post(f"/sponsor/offers/{OFFER}/withdraw",
                           data=form_data(page, reason="no"))

    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert re.search(r'id="reason-error">Enter between 3 and 500 characters\.', text)
    assert ">no</textarea>" in text


def test_another_sponsors_offer_looks_absent(client, sponsor_staff):
    sponsor_staff.answer("sponsorship", "GET", f"/offers/{OFFER}",
                         {**OFFER_BODY, "sponsor_id": "sp-2"})
    page = page_of(client, "/sponsor/offers/new")

    assert client.get(f"/sponsor/offers/{OFFER}").status_code == 404
    assert client.post(f"/sponsor/offers/{OFFER}/withdraw",
                       data=form_data(page, reason="mine now")).status_code == 404
    assert not sponsor_staff.sent("sponsorship", "POST")


# -- reports ----------------------------------------------------------------------------

def answer_report(services) -> None:
    row = {"key": "32", "name": "Jawa Barat", **MEASURES}
    services.answer("sponsorship", "GET", f"/sponsors/{SPONSOR}/report", {
        "sponsor_id": SPONSOR, "fund_id": None, "from": "2027-01-01", "to": "2027-12-31",
        "currency": "IDR", "totals": MEASURES, "by_province": [row],
        "by_module": [{**row, "key": "M1", "name": None}],
        "by_provider": [{**row, "key": PROVIDER, "name": None}],
        "by_size_class": [{**row, "key": "small", "name": None}]})
    services.answer("sponsorship", "GET", f"/sponsors/{SPONSOR}/report/timeline", {
        "sponsor_id": SPONSOR, "fund_id": None, "interval": "month", "from": "2027-01-01",
        "to": "2027-02-28", "items": [
            {"period": p, "start": f"{p}-01", "end": f"{p}-28", "fund_id": FUND,
             "fund_name": "APBN 2027", "unit": "IDR", "commitments": c, "reversals": 0,
             "committed": c, "available": 90_000_000 - c}
            for p, c in (("2027-01", 4_000_000), ("2027-02", 24_000_000))]})


def test_the_report_shows_what_the_money_bought_with_charts(client, sponsor_staff):
    answer_report(sponsor_staff)

    page = page_of(client, f"/sponsor/report?from=2027-01-01&to=2027-12-31&fund_id={FUND}")

    for figure in ("Seats funded", "45.5%", "IDR24,000,000", "IDR6,000,000",
                   "PT Pelatihan Maju", "Workplace Cooperation", "Small"):
        assert figure in page, figure
    assert page.count('role="img"') == 3  # the funds, over time, by province
    assert sponsorship_paths(sponsor_staff) == {
        f"/sponsors/{SPONSOR}/report", f"/sponsors/{SPONSOR}/report/timeline",
        f"/sponsors/{SPONSOR}/funds"}
    (report,) = sponsor_staff.sent("sponsorship", "GET", f"/sponsors/{SPONSOR}/report")
    assert report.query == {"from": ["2027-01-01"], "to": ["2027-12-31"], "fund_id": [FUND]}
    assert "/sponsor/report/download?what=timeline" in page


def test_funds_in_seats_get_charts_of_their_own(client, sponsor_staff):
    answer_report(sponsor_staff)
    seats = {**FUND_BODY, "id": OTHER_FUND, "name": "Seats 2027", "unit": "seats",
             "balance": {"deposited": 50, "adjusted": 0, "reserved": 4, "committed": 20,
                         "available": 26}}
    sponsor_staff.answer("sponsorship", "GET", f"/sponsors/{SPONSOR}/funds",
                         {"items": [FUND_BODY, seats], "next_cursor": None})

    page = page_of(client, "/sponsor/report")

    assert "Seats committed and reserved by fund" in page
    assert "Money committed and reserved by fund (million Rp)" in page
    assert ">24<" in page  # 24,000,000 rupiah committed: 24 million on the axis and table


def test_a_refused_report_window_is_said_next_to_the_date(client, sponsor_staff):
    sponsor_staff.refuse("sponsorship", "GET", f"/sponsors/{SPONSOR}/report", 400,
                         "Invalid request parameters",
                         errors={"to": ["must not be before from"]})

    response = client.get("/sponsor/report?from=2027-03-01&to=2027-01-01")

    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert re.search(r'id="to-error">Must not be before the first day\.', text)
    assert 'value="2027-03-01"' in text


def test_the_csv_comes_from_sponsorship_with_its_file_name(client, sponsor_staff):
    answer_report(sponsor_staff)
    csv = b"period,start,end\r\n2027-01,2027-01-01,2027-01-31\r\n"
    disposition = 'attachment; filename="sponsorship-timeline-sp-1-month-2027-01-01.csv"'
    send = sponsor_staff.send

    def send_csv(request, **kwargs):
        response = send(request, **kwargs)
        if urlsplit(request.url).path.endswith("/report/timeline") \
                and "format=csv" in request.url:
            response._content = csv
            response.headers["Content-Type"] = "text/csv; charset=utf-8"
            response.headers["Content-Disposition"] = disposition
        return response

    sponsor_staff.send = send_csv

    response = client.get("/sponsor/report/download?what=timeline&from=2027-01-01"
                          "&interval=month")

    assert response.status_code == 200
    assert response.data == csv
    assert response.headers["Content-Disposition"] == disposition
    assert response.mimetype == "text/csv"
    (sent,) = sponsor_staff.sent("sponsorship", "GET", f"/sponsors/{SPONSOR}/report/timeline")
    assert parse_qs(urlsplit("?" + "&".join(
        f"{k}={v[0]}" for k, v in sent.query.items())).query) == {
        "from": ["2027-01-01"], "interval": ["month"], "format": ["csv"]}
    assert sent.headers["Authorization"].startswith("Bearer eyJ")


# -- roles ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/sponsor/", "/sponsor/offers", "/sponsor/offers/new",
                                  "/sponsor/report", f"/sponsor/funds/{FUND}"])
def test_other_roles_may_not_open_the_sponsor_pages(client, sign_in, services, path):
    sign_in("sme_user", "sme-1", "sme")

    assert client.get(path).status_code == 403
    assert not services.sent("sponsorship")


def test_the_pages_speak_indonesian_by_default(client, sponsor_staff):
    client.set_cookie("score_lang", "id")
    sponsor_staff.answer("sponsorship", "GET", f"/offers/{OFFER}", OFFER_BODY)

    assert "Dana Anda" in page_of(client, "/sponsor/") and "Rp69.000.000" in page_of(
        client, "/sponsor/")
    offer = page_of(client, f"/sponsor/offers/{OFFER}")
    assert "Membayar 50% dari harga per peserta" in offer
    assert "paling banyak 8 kursi per UKM" in offer
