"""``POST /offer-checks``: a draft offer checked as drafting it would check it, with the
field errors in a 200, and nothing written."""

from __future__ import annotations

import pytest

from tests.catalog.conftest import assert_problem
from tests.sponsorship.builders import ADMIN
from tests.sponsorship.conftest import written

GOOD = {"title": "Kemnaker 2027: women-led SMEs", "stackable": True, "rules": {
    "sme_provinces": ["32", "35"], "kbli_prefixes": ["10", "131"], "size_classes": ["micro"],
    "modules": ["M1", "M2"], "ilo_supervised_only": True, "share_percent": 60,
    "cap_per_participant": 2_500_000, "sme_cap": {"seats": 8}, "min_women_percent": 30,
    "min_managers": 1, "min_workers": 2, "valid_from": "2027-01-01",
    "valid_until": "2027-12-31"}}

# Drafts drafting refuses (each for another rule), as the portal's form sends them.
BAD = {
    "short title": {"title": "ab", "rules": {}},
    "blank title": {"title": "  ", "rules": {}},
    "wrong types": {"title": 7, "stackable": "yes", "rules": {"share_percent": "60"}},
    "out of range": {"title": "Offer", "rules": {"share_percent": 0, "min_women_percent": 101,
                                                 "cap_per_participant": -1}},
    "unknown codes": {"title": "Offer", "rules": {"sme_provinces": ["99"],
                                                  "modules": ["M9"], "size_classes": []}},
    "bad KBLI": {"title": "Offer", "rules": {"kbli_prefixes": ["10", "1x", "123456"]}},
    "both caps": {"title": "Offer", "rules": {"sme_cap": {"seats": 2, "amount": 5}}},
    "dates reversed": {"title": "Offer", "rules": {"valid_from": "2027-02-01",
                                                   "valid_until": "2027-01-31"}},
    "not a date": {"title": "Offer", "rules": {"valid_from": "31/01/2027"}},
    "unknown rule": {"title": "Offer", "rules": {"share": 50}},
    "null rules": {"title": "Offer", "rules": None},
}


def test_a_good_draft_is_valid_and_nothing_is_written(market, db):
    sponsor = market.sponsor()
    fund = market.fund(sponsor)
    before = written(db)

    response = market.client.post("/offer-checks", json={**GOOD, "fund_id": fund},
                                  headers=market.staff(sponsor))

    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"valid": True, "errors": {}}
    assert written(db) == before


@pytest.mark.parametrize("draft", BAD.values(), ids=BAD.keys())
def test_a_bad_draft_gets_the_errors_drafting_would_answer(market, db, draft):
    sponsor = market.sponsor()
    fund = market.fund(sponsor)
    staff = market.staff(sponsor)
    before = written(db)

    checked = market.client.post("/offer-checks", json={**draft, "fund_id": fund},
                                 headers=staff)

    assert checked.status_code == 200, checked.get_json()
    assert written(db) == before
    drafted = market.client.post(f"/funds/{fund}/offers", json=draft, headers=staff)
    refusal = assert_problem(drafted, 422)
    assert checked.get_json() == {"valid": False, "errors": refusal["errors"]}


@pytest.mark.parametrize("case", ["another sponsor's fund", "a closed fund", "no such fund"])
def test_the_fund_is_checked_as_drafting_checks_it(market, case):
    sponsor = market.sponsor()
    staff = market.staff(sponsor)
    fund = market.fund(sponsor)
    expected = "no such fund"
    if case == "another sponsor's fund":
        fund = market.fund(market.sponsor("Other"))
    elif case == "a closed fund":
        market.client.post(f"/funds/{fund}/close", json={"reason": "ended"}, headers=staff)
        expected = "fund is closed"
        assert_problem(market.client.post(f"/funds/{fund}/offers", json=GOOD, headers=staff),
                       409, "fund_id")
    else:
        fund = "00000000-0000-0000-0000-000000000000"

    response = market.client.post("/offer-checks", json={**GOOD, "fund_id": fund},
                                  headers=staff)

    assert response.get_json() == {"valid": False, "errors": {"fund_id": [expected]}}


def test_without_a_fund_only_the_draft_is_checked(market):
    sponsor = market.sponsor()
    response = market.client.post("/offer-checks", json={"title": "Offer", "rules": {}},
                                  headers=market.staff(sponsor))
    assert response.get_json() == {"valid": True, "errors": {}}


@pytest.mark.parametrize("draft", [{}, {"title": "Offer"}, {"rules": {}}])
def test_a_draft_without_its_title_or_rules_is_refused_as_drafting_refuses_it(market, draft):
    sponsor = market.sponsor()
    fund = market.fund(sponsor)
    staff = market.staff(sponsor)

    checked = assert_problem(market.client.post("/offer-checks", json=draft,
                                                headers=staff), 422)

    drafted = assert_problem(market.client.post(f"/funds/{fund}/offers", json=draft,
                                                headers=staff), 422)
    assert checked["errors"] == drafted["errors"]


def test_only_a_sponsors_staff_check_drafts(market, auth):
    assert_problem(market.client.post("/offer-checks", json=GOOD), 401)
    for role in (ADMIN, ("sme_user", "sme-1", "sme"), ("ilo_auditor", "ilo")):
        assert_problem(market.client.post("/offer-checks", json=GOOD,
                                          headers=auth(*role)), 403)


def test_a_body_that_is_not_an_object_is_refused(market):
    sponsor = market.sponsor()
    response = market.client.post("/offer-checks", json=["title"],
                                  headers=market.staff(sponsor))
    assert_problem(response, 422)
