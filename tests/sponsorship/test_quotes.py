"""Quotes at checkout over HTTP: a preview writes nothing, a reservation is made once per
seat hold, offers stack or stand alone, and a fund or an SME's cap runs out visibly."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from services.enrolment import events as enrolment_events
from shared import clock
from tests.catalog.conftest import assert_problem
from tests.sponsorship.builders import ADMIN, days, hold, team
from tests.sponsorship.conftest import published, written


@dataclasses.dataclass
class World:
    sponsor: str
    fund: str
    offer: str
    session: str
    sme: str


@pytest.fixture
def world(market) -> World:
    """A ministry paying half of the price from IDR 20 M; a 2.5 M session; an SME."""
    sponsor = market.sponsor()
    fund = market.fund(sponsor, amount=20_000_000)
    offer = market.offer(sponsor, fund, {"share_percent": 50})
    return World(sponsor, fund, offer, market.session()["session_id"], market.sme()["sme_id"])


def reason_codes(body: dict) -> dict[str, list[str]]:
    return {d["offer_id"]: [r["code"] for r in d["reasons"]] for d in body["declined"]}


def test_a_preview_says_what_sponsors_pay_and_writes_nothing(market, db, world):
    before = written(db)
    response = market.quote(world.sme, world.session, team(4))

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["price"], body["sponsor_share"], body["sme_share"], body["currency"]) == (
        10_000_000, 5_000_000, 5_000_000, "IDR")
    (applied,) = body["applied"]
    assert applied == {"offer_id": world.offer, "fund_id": world.fund,
                       "sponsor_id": world.sponsor, "sponsor_name": "Kemnaker",
                       "amount": 5_000_000, "participants": 4}
    assert body["reservation"] is None
    assert written(db) == before


def test_a_reservation_is_made_once_per_hold_and_a_retry_answers_the_first(market, db, world):
    reserve = hold()
    first = market.quote(world.sme, world.session, reserve=reserve)
    assert first.status_code == 201, first.get_json()
    reservation = first.get_json()["reservation"]
    assert first.headers["Location"].endswith(f"/reservations/{reservation['id']}")
    assert (reservation["status"], reservation["amount"]) == ("reserved", 5_000_000)
    after_first = written(db)

    again = market.quote(world.sme, world.session, reserve=reserve)

    assert again.status_code == 200
    assert again.get_json()["reservation"]["id"] == reservation["id"]
    assert again.get_json()["sponsor_share"] == 5_000_000
    assert written(db) == after_first
    assert market.balance(world.sponsor, world.fund)["reserved"] == 5_000_000
    assert [name for name, _data in published(db)].count("reservation.created") == 1


def test_a_later_expiry_extends_the_reservation_and_an_earlier_one_does_not(market, world):
    reserve = hold(minutes=30)
    made = market.quote(world.sme, world.session, reserve=reserve).get_json()["reservation"]
    later = clock.now() + dt.timedelta(minutes=90)

    extended = market.quote(world.sme, world.session,
                            reserve={**reserve, "expires_at": later.isoformat()})
    assert dt.datetime.fromisoformat(extended.get_json()["reservation"]["expires_at"]) == later
    shorter = {**reserve, "expires_at": (clock.now() + dt.timedelta(minutes=5)).isoformat()}
    kept = market.quote(world.sme, world.session, reserve=shorter).get_json()["reservation"]
    assert kept["id"] == made["id"]
    assert dt.datetime.fromisoformat(kept["expires_at"]) == later


def test_a_hold_reused_by_another_enrolment_is_a_conflict(market, db, world):
    reserve = hold()
    market.quote(world.sme, world.session, reserve=reserve)
    before = written(db)

    response = market.quote(world.sme, world.session,
                            reserve={**reserve, "enrolment_id": "another-enrolment"})

    assert_problem(response, 409, "reserve")
    assert written(db) == before


@pytest.mark.parametrize("unknown", ["sme", "session"])
def test_an_unknown_sme_or_session_is_not_found(market, db, world, unknown):
    sme = "sme-nobody-knows" if unknown == "sme" else world.sme
    session = "session-nobody-knows" if unknown == "session" else world.session
    before = written(db)
    response = market.quote(sme, session, reserve=hold(),
                            headers=market.auth("sme_user", sme, "sme"))
    body = assert_problem(response, 404)
    assert unknown in body["detail"].lower()
    assert written(db) == before


def test_only_the_smes_own_users_reserve_admins_only_preview(market, db, world):
    other_sme = market.auth("sme_user", "another-sme", "sme")
    assert_problem(market.quote(world.sme, world.session, headers=other_sme), 404)
    admin = market.auth(*ADMIN)
    assert market.quote(world.sme, world.session, headers=admin).status_code == 200
    before = written(db)
    assert_problem(market.quote(world.sme, world.session, reserve=hold(), headers=admin), 403)
    assert written(db) == before


def test_stackable_offers_combine_and_beat_a_smaller_non_stackable_one(market, world):
    donor = market.sponsor("Yayasan Maju", "donor")
    donor_fund = market.fund(donor)
    thirty = market.offer(donor, donor_fund, {"share_percent": 30}, stackable=True)
    forty = market.offer(donor, market.fund(donor), {"share_percent": 40}, stackable=True)

    body = market.quote(world.sme, world.session, team(4)).get_json()

    assert {a["offer_id"]: a["amount"] for a in body["applied"]} == {
        thirty: 3_000_000, forty: 4_000_000}
    assert body["sme_share"] == 3_000_000
    assert reason_codes(body) == {world.offer: ["REASON_NOT_STACKABLE"]}


def test_an_ineligible_offer_is_declined_with_every_reason(market, world):
    picky = market.offer(world.sponsor, world.fund, {
        "min_women_percent": 60, "modules": ["M3"], "sme_provinces": ["31"]})
    body = market.quote(world.sme, world.session, team(4, women=1)).get_json()
    assert reason_codes(body)[picky] == ["REASON_SME_PROVINCE_NOT_COVERED",
                                         "REASON_MODULE_NOT_COVERED",
                                         "REASON_WOMEN_SHARE_BELOW_MIN"]
    assert [a["offer_id"] for a in body["applied"]] == [world.offer]


def test_an_smes_cap_counts_across_its_holds_and_frees_on_release(market, world):
    capped = market.fund(world.sponsor)
    offer = market.offer(world.sponsor, capped, {"sme_cap": {"seats": 5}})
    market.client.post(f"/offers/{world.offer}/withdraw", json={"reason": "replaced"},
                       headers=market.staff(world.sponsor))

    first = market.quote(world.sme, world.session, team(3), reserve=hold()).get_json()
    second_hold = hold()
    second = market.quote(world.sme, world.session, team(3), reserve=second_hold).get_json()
    third = market.quote(world.sme, world.session, team(3)).get_json()

    assert [a["participants"] for a in first["applied"]] == [3]
    assert [(a["participants"], a["amount"]) for a in second["applied"]] == [(2, 5_000_000)]
    assert third["sponsor_share"] == 0
    assert reason_codes(third) == {offer: ["REASON_SME_CAP_REACHED"]}
    # Another SME has a cap of its own.
    other = market.sme()["sme_id"]
    assert market.quote(other, world.session, team(3)).get_json()["sponsor_share"] == 7_500_000

    market.enrolment_event(enrolment_events.ENROLMENT_EXPIRED, status="expired",
                           enrolment_id=second_hold["enrolment_id"],
                           hold_id=second_hold["hold_id"])
    again = market.quote(world.sme, world.session, team(3)).get_json()
    assert [a["participants"] for a in again["applied"]] == [2]


def test_a_fund_runs_out_partly_then_says_so(market, world):
    small = market.fund(world.sponsor, amount=12_000_000)
    full = market.offer(world.sponsor, small, {})  # 100 %: 10 M for four
    market.client.post(f"/offers/{world.offer}/withdraw", json={"reason": "replaced"},
                       headers=market.staff(world.sponsor))

    first = market.quote(world.sme, world.session, reserve=hold()).get_json()
    second = market.quote(world.sme, world.session, reserve=hold()).get_json()
    third = market.quote(world.sme, world.session, reserve=hold())

    assert first["sponsor_share"] == 10_000_000
    assert (second["sponsor_share"], second["sme_share"]) == (2_000_000, 8_000_000)
    assert third.status_code == 200  # nothing reserved
    assert third.get_json()["reservation"] is None
    assert reason_codes(third.get_json()) == {full: ["REASON_FUND_EXHAUSTED"]}
    assert market.balance(world.sponsor, small)["available"] == 0


def test_a_seats_fund_pays_whole_participants_until_its_seats_run_out(market, world):
    seats = market.fund(world.sponsor, amount=5, unit="seats")
    market.offer(world.sponsor, seats, {})
    market.client.post(f"/offers/{world.offer}/withdraw", json={"reason": "replaced"},
                       headers=market.staff(world.sponsor))

    first = market.quote(world.sme, world.session, reserve=hold()).get_json()
    second = market.quote(world.sme, world.session, reserve=hold()).get_json()

    assert first["reservation"]["lines"][0]["units"] == 4
    assert (second["sponsor_share"], second["applied"][0]["participants"]) == (2_500_000, 1)
    assert market.balance(world.sponsor, seats) | {} == {
        "deposited": 5, "adjusted": 0, "reserved": 5, "committed": 0, "available": 0}


def test_a_fund_outside_its_validity_pays_nothing(market, world):
    future = market.fund(world.sponsor, valid_from=days(10), valid_until=days(40))
    later = market.offer(world.sponsor, future, {"share_percent": 90})
    body = market.quote(world.sme, world.session).get_json()
    assert reason_codes(body)[later] == ["REASON_FUND_NOT_VALID"]
    assert body["sponsor_share"] == 5_000_000


@pytest.mark.parametrize("stop", ["suspend sponsor", "withdraw offer", "close fund"])
def test_offers_stop_matching_when_their_sponsor_offer_or_fund_stops(market, db, world, stop):
    reserve = hold()
    market.quote(world.sme, world.session, reserve=reserve)
    staff = market.staff(world.sponsor)
    path, headers = {
        "suspend sponsor": (f"/sponsors/{world.sponsor}/suspend", market.auth(*ADMIN)),
        "withdraw offer": (f"/offers/{world.offer}/withdraw", staff),
        "close fund": (f"/funds/{world.fund}/close", staff)}[stop]
    assert market.client.post(path, json={"reason": "stopped"}, headers=headers).status_code \
        == 200

    body = market.quote(world.sme, world.session, reserve=hold()).get_json()

    assert (body["sponsor_share"], body["applied"], body["reservation"]) == (0, [], None)
    # What was reserved before stands, and can still be committed.
    market.enrolment_event(enrolment_events.ENROLMENT_CONFIRMED, sponsor_share=5_000_000,
                           enrolment_id=reserve["enrolment_id"], hold_id=reserve["hold_id"])
    assert market.balance(world.sponsor, world.fund)["committed"] == 5_000_000


def test_a_free_session_is_never_funded(market, world):
    free = market.session(price_per_participant=0)["session_id"]
    body = market.quote(world.sme, free, reserve=hold()).get_json()
    assert (body["price"], body["sponsor_share"], body["reservation"]) == (0, 0, None)
    assert reason_codes(body) == {world.offer: ["REASON_FREE_SESSION"]}
