"""Sponsors, funds and offers over HTTP: registration and approval, funds as ledgers with
idempotent deposits, the ledger's pages, and offers from draft to withdrawn."""

from __future__ import annotations

import threading

import pytest

from tests.catalog.conftest import assert_problem
from tests.sponsorship.builders import ADMIN, days
from tests.sponsorship.conftest import published, written

SPONSOR = {"name": "PT Sepatu Nusantara", "kind": "lead_buyer", "contact_name": "Ibu Sari",
           "contact_email": "sari@sepatu.example", "contact_phone": "+62 21 555 0123"}


# -- sponsors -------------------------------------------------------------------------------

def test_a_registration_is_pending_until_an_admin_approves_it(market, db):
    registrant = market.auth("sponsor_staff", subject="sari")
    response = market.client.post("/sponsors", json=SPONSOR, headers=registrant)
    assert response.status_code == 201, response.get_json()
    sponsor = response.get_json()
    assert sponsor["status"] == "pending"
    ((name, data),) = published(db)
    assert (name, data["registered_by"], data["sponsor_id"]) == (
        "sponsor.registered", "sari", sponsor["id"])
    # Pending sponsors are not public.
    assert market.client.get(f"/sponsors/{sponsor['id']}").status_code == 404
    assert market.client.get("/sponsors").get_json()["items"] == []

    approved = market.client.post(f"/sponsors/{sponsor['id']}/approve", json={},
                                  headers=market.auth(*ADMIN))

    assert approved.get_json()["status"] == "approved"
    assert approved.get_json()["approved_at"] is not None
    assert [i["id"] for i in market.client.get("/sponsors").get_json()["items"]] == [
        sponsor["id"]]
    assert published(db)[-1][0] == "sponsor.approved"


def test_an_account_registers_one_sponsor(market, db):
    registrant = market.auth("sponsor_staff", subject="sari")
    assert market.client.post("/sponsors", json=SPONSOR, headers=registrant).status_code == 201
    before = written(db)
    again = market.client.post("/sponsors", json={**SPONSOR, "name": "Another"},
                               headers=registrant)
    assert_problem(again, 409)
    assert written(db) == before


def test_two_registrations_sent_at_once_yield_one_sponsor(app, market, db):
    registrant = market.auth("sponsor_staff", subject="twice")
    statuses: list[int] = []

    def register() -> None:
        statuses.append(app.test_client().post("/sponsors", json=SPONSOR,
                                               headers=registrant).status_code)

    threads = [threading.Thread(target=register) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201, 409]
    assert written(db)["sponsors"] == 1


def test_staff_already_acting_for_a_sponsor_cannot_register_another(market, db):
    sponsor = market.sponsor()
    before = written(db)
    assert_problem(market.client.post("/sponsors", json=SPONSOR, headers=market.staff(sponsor)),
                   403)
    assert written(db) == before


def test_a_sponsors_staff_edit_its_contact_details(market):
    sponsor = market.sponsor()
    response = market.client.patch(f"/sponsors/{sponsor}", json={"contact_name": "Pak Andi"},
                                   headers=market.staff(sponsor))
    assert response.status_code == 200
    assert market.client.get(f"/sponsors/{sponsor}").get_json()["contact_name"] == "Pak Andi"


def test_a_suspended_sponsor_is_hidden_and_reinstated_on_approval(market):
    sponsor = market.sponsor()
    admin = market.auth(*ADMIN)
    market.client.post(f"/sponsors/{sponsor}/suspend", json={"reason": "audit"}, headers=admin)
    assert market.client.get(f"/sponsors/{sponsor}").status_code == 404
    listed = market.client.get("/sponsors?status=suspended", headers=admin).get_json()["items"]
    assert [(s["id"], s["status_reason"]) for s in listed] == [(sponsor, "audit")]
    market.client.post(f"/sponsors/{sponsor}/approve", json={"reason": "resolved"},
                       headers=admin)
    assert market.client.get(f"/sponsors/{sponsor}").get_json()["status"] == "approved"


# -- funds ----------------------------------------------------------------------------------

def fund_body(**changes) -> dict:
    return {"name": "APBN 2026", "unit": "IDR", "valid_from": days(0).isoformat(),
            "valid_until": days(300).isoformat(), **changes}


def test_only_an_approved_sponsor_opens_funds(market, db):
    registered = market.client.post("/sponsors", json=SPONSOR,
                                    headers=market.auth("sponsor_staff", subject="new"))
    pending = registered.get_json()["id"]
    before = written(db)
    response = market.client.post(f"/sponsors/{pending}/funds", json=fund_body(),
                                  headers=market.staff(pending))
    assert_problem(response, 409, "sponsor_id")
    assert written(db) == before


def test_a_fund_opens_with_its_first_deposit(market, db):
    sponsor = market.sponsor()
    before = len(published(db))
    response = market.client.post(f"/sponsors/{sponsor}/funds", json=fund_body(
        initial_deposit={"amount": 50_000_000, "reference": "DIPA-2026-01"}),
        headers=market.staff(sponsor))
    assert response.status_code == 201, response.get_json()
    fund = response.get_json()
    assert fund["balance"]["available"] == 50_000_000
    assert [name for name, _d in published(db, before)] == ["fund.created", "fund.deposited"]
    listed = market.client.get(f"/sponsors/{sponsor}/funds", headers=market.staff(sponsor))
    assert [(f["id"], f["balance"]["deposited"]) for f in listed.get_json()["items"]] == [
        (fund["id"], 50_000_000)]


def test_a_deposit_books_once_per_reference(market, db):
    sponsor = market.sponsor()
    fund = market.fund(sponsor, amount=1_000_000)
    deposit = {"amount": 9_000_000, "reference": "TRANSFER-77"}
    first = market.client.post(f"/funds/{fund}/deposits", json=deposit,
                               headers=market.staff(sponsor))
    after = written(db)
    again = market.client.post(f"/funds/{fund}/deposits", json=deposit,
                               headers=market.staff(sponsor))

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["balance"]["deposited"] == 10_000_000
    assert written(db) == after
    other = market.client.post(f"/funds/{fund}/deposits", json={**deposit, "amount": 1},
                               headers=market.staff(sponsor))
    assert_problem(other, 409, "idempotency_key")
    assert written(db) == after


def test_adjustments_book_corrections_with_their_reason(market, db):
    sponsor = market.sponsor()
    fund = market.fund(sponsor, amount=10_000_000)
    staff = market.staff(sponsor)
    up = market.client.post(f"/funds/{fund}/adjustments", json={
        "amount": 500_000, "reference": "AUDIT-1", "reason": "bank interest"}, headers=staff)
    down = market.client.post(f"/funds/{fund}/adjustments", json={
        "amount": -2_000_000, "reference": "AUDIT-2", "reason": "budget cut"}, headers=staff)
    assert (up.status_code, down.status_code) == (201, 201)
    assert down.get_json()["balance"] | {} == {
        "deposited": 10_000_000, "adjusted": -1_500_000, "reserved": 0, "committed": 0,
        "available": 8_500_000}
    (name, data) = published(db)[-1]
    assert (name, data["movement"]["amount"], data["movement"]["reason"]) == (
        "fund.adjusted", -2_000_000, "budget cut")


def test_a_closed_fund_takes_no_deposits_and_no_offers(market, db):
    sponsor = market.sponsor()
    fund = market.fund(sponsor)
    staff = market.staff(sponsor)
    market.client.post(f"/funds/{fund}/close", json={"reason": "year ended"}, headers=staff)
    before = written(db)
    assert_problem(market.client.post(f"/funds/{fund}/deposits", json={
        "amount": 1, "reference": "LATE-1"}, headers=staff), 409, "status")
    assert_problem(market.client.post(f"/funds/{fund}/offers", json={
        "title": "Too late", "rules": {}}, headers=staff), 409, "fund_id")
    assert written(db) == before


@pytest.mark.parametrize("limit", [1, 2, 3, 50])
def test_the_ledger_pages_skip_and_repeat_nothing(market, limit):
    sponsor = market.sponsor()
    fund = market.fund(sponsor, amount=1)
    staff = market.staff(sponsor)
    for n in range(6):
        market.client.post(f"/funds/{fund}/deposits", json={
            "amount": n + 2, "reference": f"REF-{n}"}, headers=staff)
    seen, cursor, pages = [], None, 0
    while True:
        query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        page = market.client.get(f"/funds/{fund}/transactions{query}", headers=staff).get_json()
        assert len(page["items"]) <= limit
        seen += [row["amount"] for row in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
        # A row booked between pages never shifts the next one.
        market.client.post(f"/funds/{fund}/deposits", json={
            "amount": 1000 + pages, "reference": f"LATE-{pages}"}, headers=staff)
    assert seen == [7, 6, 5, 4, 3, 2, 1]  # newest first, each row once
    assert pages == -(-7 // limit)


def test_the_ledger_filters_by_kind(market):
    sponsor = market.sponsor()
    fund = market.fund(sponsor, amount=5)
    staff = market.staff(sponsor)
    market.client.post(f"/funds/{fund}/adjustments", json={
        "amount": -1, "reference": "A-1", "reason": "correction"}, headers=staff)
    rows = market.client.get(f"/funds/{fund}/transactions?kind=adjustment",
                             headers=staff).get_json()["items"]
    assert [(r["kind"], r["amount"], r["idempotency_key"]) for r in rows] == [
        ("adjustment", -1, "adjustment:A-1")]


# -- offers ---------------------------------------------------------------------------------

def test_an_offer_goes_from_draft_to_published_to_withdrawn(market, db):
    sponsor = market.sponsor()
    fund = market.fund(sponsor)
    staff = market.staff(sponsor)
    draft = market.offer(sponsor, fund, {"share_percent": 40, "modules": ["M1"]},
                         publish=False)
    assert market.client.get(f"/offers/{draft}").status_code == 404  # drafts are private
    assert market.client.get("/offers").get_json()["items"] == []
    own_drafts = market.client.get("/offers?status=draft", headers=staff).get_json()["items"]
    assert [(o["id"], o["rules"]) for o in own_drafts] == [
        (draft, {"share_percent": 40, "modules": ["M1"]})]

    market.client.post(f"/offers/{draft}/publish", headers=staff)
    public = market.client.get("/offers").get_json()["items"]
    assert [(o["id"], o["status"]) for o in public] == [(draft, "published")]
    assert public[0]["published_at"] is not None

    market.client.post(f"/offers/{draft}/withdraw", json={"reason": "budget moved"},
                       headers=staff)
    assert market.client.get("/offers").get_json()["items"] == []
    assert [name for name, _d in published(db) if name.startswith("offer.")] == [
        "offer.published", "offer.withdrawn"]


def test_other_sponsors_drafts_are_invisible(market):
    mine, theirs = market.sponsor(), market.sponsor("Other")
    market.offer(theirs, market.fund(theirs), publish=False)
    assert market.client.get("/offers?status=draft",
                             headers=market.staff(mine)).get_json()["items"] == []
    assert market.client.get("/offers?status=draft").get_json()["items"] == []
    auditor = market.auth("ilo_auditor", subject="auditor")
    assert len(market.client.get("/offers?status=draft", headers=auditor)
               .get_json()["items"]) == 1


@pytest.mark.parametrize("blocker", ["closed fund", "suspended sponsor"])
def test_publishing_needs_an_open_fund_and_an_approved_sponsor(market, db, blocker):
    sponsor = market.sponsor()
    fund = market.fund(sponsor)
    draft = market.offer(sponsor, fund, publish=False)
    if blocker == "closed fund":
        market.client.post(f"/funds/{fund}/close", json={"reason": "ended"},
                           headers=market.staff(sponsor))
    else:
        market.client.post(f"/sponsors/{sponsor}/suspend", json={"reason": "audit"},
                           headers=market.auth(*ADMIN))
    before = written(db)
    response = market.client.post(f"/offers/{draft}/publish", headers=market.staff(sponsor))
    assert_problem(response, 409, "fund_id" if blocker == "closed fund" else "sponsor_id")
    assert written(db) == before


def test_offers_filter_by_sponsor_and_fund(market):
    a, b = market.sponsor(), market.sponsor("Other")
    fund_a = market.fund(a)
    offer_a = market.offer(a, fund_a)
    market.offer(b, market.fund(b))
    assert [o["id"] for o in market.client.get(f"/offers?sponsor_id={a}").get_json()[
        "items"]] == [offer_a]
    assert [o["id"] for o in market.client.get(f"/offers?fund_id={fund_a}").get_json()[
        "items"]] == [offer_a]


def test_services_list_a_sponsors_funds_with_their_balances(market, auth):
    # The audit's reconciliation compares these balances with the log's.
    sponsor = market.sponsor()
    fund = market.fund(sponsor, amount=7_000_000)

    response = market.client.get(f"/sponsors/{sponsor}/funds", headers=auth("service"))

    assert response.status_code == 200, response.get_json()
    (item,) = response.get_json()["items"]
    assert (item["id"], item["balance"]["deposited"]) == (fund, 7_000_000)
