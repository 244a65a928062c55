"""Bad input is refused with a 4xx problem naming each field, and nothing is written:
no row, no ledger movement, no outbox row."""

from __future__ import annotations

import pytest

from shared.pages import encode_token
from tests.catalog.conftest import assert_problem
from tests.sponsorship.builders import days, hold, team
from tests.sponsorship.conftest import written

BIG = 10**12 + 1  # beyond MAX_IDR
HUGE = 2**63  # beyond BIGINT


@pytest.fixture
def world(market):
    sponsor = market.sponsor()
    fund = market.fund(sponsor, amount=10_000_000)
    market.offer(sponsor, fund)
    return {"sponsor": sponsor, "fund": fund, "session": market.session()["session_id"],
            "sme": market.sme()["sme_id"]}


def post(market, world, path, body, as_sponsor=True):
    headers = market.staff(world["sponsor"]) if as_sponsor else market.auth(
        "sme_user", world["sme"], "sme")
    return market.client.post(path.format(**world), json=body, headers=headers)


SPONSOR_CASES = [
    ({"kind": "bank"}, "kind"), ({"name": " "}, "name"), ({"name": "N" * 201}, "name"),
    ({"contact_email": "not-an-email"}, "contact_email"),
    ({"contact_phone": "call me"}, "contact_phone"), ({"status": "approved"}, "status"),
]


@pytest.mark.parametrize(("changes", "field"), SPONSOR_CASES)
def test_a_bad_registration_is_refused(market, db, changes, field):
    body = {"name": "Donor", "kind": "donor", "contact_name": "Ibu Rina",
            "contact_email": "rina@donor.example", "contact_phone": "+62 21 555 0100",
            **changes}
    before = written(db)
    assert_problem(market.client.post("/sponsors", json=body,
                                      headers=market.auth("sponsor_staff", subject="x")),
                   422, field)
    assert written(db) == before


FUND_CASES = [
    ({"unit": "USD"}, "unit"),
    ({"valid_until": days(-1).isoformat()}, "valid_until"),
    ({"valid_from": "2026-02-30"}, "valid_from"),
    ({"valid_from": "tomorrow"}, "valid_from"),
    ({"initial_deposit": {"amount": 0, "reference": "REF-1"}}, "initial_deposit"),
    ({"initial_deposit": {"amount": -5, "reference": "REF-1"}}, "initial_deposit"),
    ({"initial_deposit": {"amount": BIG, "reference": "REF-1"}}, "initial_deposit"),
    ({"initial_deposit": {"amount": 1.5, "reference": "REF-1"}}, "initial_deposit"),
    ({"initial_deposit": {"amount": 5, "reference": "R"}}, "initial_deposit"),
    ({"name": ""}, "name"),
]


@pytest.mark.parametrize(("changes", "field"), FUND_CASES)
def test_a_bad_fund_is_refused(market, db, world, changes, field):
    body = {"name": "Hibah", "unit": "IDR", "valid_from": days(0).isoformat(),
            "valid_until": days(30).isoformat(), **changes}
    before = written(db)
    assert_problem(post(market, world, "/sponsors/{sponsor}/funds", body), 422, field)
    assert written(db) == before


@pytest.mark.parametrize(("path", "body", "field"), [
    ("deposits", {"amount": 0, "reference": "REF-1"}, "amount"),
    ("deposits", {"amount": -1, "reference": "REF-1"}, "amount"),
    ("deposits", {"amount": BIG, "reference": "REF-1"}, "amount"),
    ("deposits", {"amount": HUGE, "reference": "REF-1"}, "amount"),
    ("deposits", {"amount": "100", "reference": "REF-1"}, "amount"),
    ("deposits", {"amount": 100}, "reference"),
    ("deposits", {"amount": 100, "reference": "   "}, "reference"),
    ("adjustments", {"amount": 0, "reference": "REF-1", "reason": "none"}, "amount"),
    ("adjustments", {"amount": -BIG, "reference": "REF-1", "reason": "cut"}, "amount"),
    ("adjustments", {"amount": -5, "reference": "REF-1"}, "reason"),
    ("adjustments", {"amount": -5, "reference": "REF-1", "reason": "x"}, "reason"),
    ("close", {}, "reason"),
    ("close", {"reason": "  "}, "reason"),
])
def test_a_bad_movement_is_refused_and_books_nothing(market, db, world, path, body, field):
    before = written(db)
    assert_problem(post(market, world, "/funds/{fund}/" + path, body), 422, field)
    assert written(db) == before
    assert market.balance(world["sponsor"], world["fund"])["available"] == 10_000_000


@pytest.mark.parametrize(("changes", "field", "rule"), [
    ({"rules": {"share_percent": 0}}, "rules", "share_percent"),
    ({"rules": {"share_percent": 101}}, "rules", "share_percent"),
    ({"rules": {"sme_cap": {"seats": 1, "amount": 1}}}, "rules", "sme_cap"),
    ({"rules": {"sme_cap": {}}}, "rules", "sme_cap"),
    ({"rules": {"sme_provinces": ["99"]}}, "rules", "sme_provinces"),
    ({"rules": {"valid_from": "2026-05-02", "valid_until": "2026-05-01"}}, "rules",
     "valid_until"),
    ({"rules": {"ilo_supervised_only": "yes"}}, "rules", "ilo_supervised_only"),
    ({"rules": {"min_women": 30}}, "rules", "min_women"),
    ({"rules": []}, "rules", None),
    ({"stackable": "true"}, "stackable", None),
    ({"title": ""}, "title", None),
])
def test_a_bad_offer_is_refused(market, db, world, changes, field, rule):
    body = {"title": "Half for women-led teams", "rules": {}, **changes}
    before = written(db)
    problem = assert_problem(post(market, world, "/funds/{fund}/offers", body), 422, field)
    if rule is not None:  # the nested error names the rule itself
        assert set(problem["errors"]["rules"]) == {rule}
    assert written(db) == before


def quote(world, **changes) -> dict:
    return {"sme_id": world["sme"], "session_id": world["session"], "team": team(4),
            "reserve": hold(), **changes}


@pytest.mark.parametrize(("changes", "field"), [
    ({"team": {**team(4), "managers": 2}}, "team"),  # managers + workers = 5
    ({"team": {**team(4), "women": 3}}, "team"),  # women + men = 5
    ({"team": {**team(4), "participants": 0}}, "team"),
    ({"team": {**team(4), "workers": -1}}, "team"),
    ({"team": {**team(4), "participants": HUGE}}, "team"),
    ({"team": {"participants": 4}}, "team"),
    ({"team": {**team(4), "women": 2.0}}, "team"),
    ({"sme_id": ""}, "sme_id"),
    ({"session_id": "s" * 37}, "session_id"),
    ({"reserve": {"enrolment_id": "e", "hold_id": "h"}}, "reserve"),
    ({"reserve": {"enrolment_id": "e", "hold_id": "h", "expires_at": "soon"}}, "reserve"),
    ({"reserve": {"enrolment_id": "e", "hold_id": "h",
                  "expires_at": "2026-12-01T10:00:00"}}, "reserve"),  # naive: no zone
    ({"reserve": {"enrolment_id": "e", "hold_id": "h" * 81,
                  "expires_at": "2026-12-01T10:00:00Z"}}, "reserve"),
    ({"price": 1}, "price"),
])
def test_a_bad_quote_is_refused_and_reserves_nothing(market, db, world, changes, field):
    before = written(db)
    assert_problem(post(market, world, "/quotes", quote(world, **changes), as_sponsor=False),
                   422, field)
    assert written(db) == before


@pytest.mark.parametrize("query", [
    "limit=0", "limit=101", "limit=abc", "cursor=!!", "cursor=bm90LWpzb24",
    f"cursor={encode_token(['not-a-date', 'x'])}", "status=lost", "kind=bank",
])
def test_bad_list_queries_are_400_naming_the_parameter(market, query):
    response = market.client.get(f"/sponsors?{query}")
    assert_problem(response, 400, query.split("=")[0])


@pytest.mark.parametrize("query", [
    "limit=0", "limit=201", "cursor=!!", f"cursor={encode_token(['x'])}",
    f"cursor={encode_token([0])}", f"cursor={encode_token([True])}",
    f"cursor={encode_token([1, 2])}", "kind=gift",
])
def test_bad_ledger_queries_are_400_naming_the_parameter(market, world, query):
    response = market.client.get(f"/funds/{world['fund']}/transactions?{query}",
                                 headers=market.staff(world["sponsor"]))
    assert_problem(response, 400, query.split("=")[0])


@pytest.mark.parametrize("path", ["/offers?status=gone", "/offers?fund_id=",
                                  "/reservations?status=held", "/reservations?cursor=%%"])
def test_bad_filters_are_400(market, world, path):
    response = market.client.get(path, headers=market.auth("platform_admin", "platform"))
    assert_problem(response, 400)


def test_a_body_that_is_not_an_object_is_refused(market, db, world):
    before = written(db)
    assert_problem(post(market, world, "/quotes", [], as_sponsor=False), 422)
    response = market.client.post("/quotes", data="{oops", content_type="application/json",
                                  headers=market.auth("sme_user", world["sme"], "sme"))
    assert response.status_code == 400
    assert written(db) == before


def test_unknown_ids_in_paths_are_404_problems(market, world):
    staff = market.staff(world["sponsor"])
    for path in ("/funds/nope", "/funds/nope/transactions"):
        assert_problem(market.client.get(path, headers=staff), 404)
    assert_problem(market.client.post("/funds/nope/deposits", json={
        "amount": 1, "reference": "REF-1"}, headers=staff), 404)
    assert_problem(market.client.post("/offers/nope/publish", headers=staff), 404)
    assert_problem(market.client.get("/offers/nope"), 404)
    assert_problem(market.client.get("/reservations/nope",
                                     headers=market.auth("ilo_auditor")), 404)
