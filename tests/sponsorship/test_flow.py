"""The sponsorship story end to end over HTTP and the consumer (SQLite, local bus)."""

from __future__ import annotations

from services.enrolment import events as enrolment_events
from tests.sponsorship.builders import hold, team


def test_a_sponsor_funds_half_of_a_team_and_the_saga_commits_it(market):
    sponsor = market.sponsor()
    fund = market.fund(sponsor, amount=20_000_000)
    market.offer(sponsor, fund, {"share_percent": 50, "min_women_percent": 30})
    session = market.session()
    sme = market.sme()

    preview = market.quote(sme["sme_id"], session["session_id"])
    assert preview.status_code == 200, preview.get_json()
    assert preview.get_json()["sponsor_share"] == 5_000_000
    assert preview.get_json()["reservation"] is None
    assert market.balance(sponsor, fund)["available"] == 20_000_000

    reserve = hold()
    made = market.quote(sme["sme_id"], session["session_id"], reserve=reserve)
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert (body["price"], body["sponsor_share"], body["sme_share"]) == (
        10_000_000, 5_000_000, 5_000_000)
    assert market.balance(sponsor, fund) | {} == {
        "deposited": 20_000_000, "adjusted": 0, "reserved": 5_000_000, "committed": 0,
        "available": 15_000_000}

    again = market.quote(sme["sme_id"], session["session_id"], reserve=reserve)
    assert again.status_code == 200
    assert again.get_json()["reservation"]["id"] == body["reservation"]["id"]
    assert market.balance(sponsor, fund)["reserved"] == 5_000_000

    outcome = market.enrolment_event(
        enrolment_events.ENROLMENT_CONFIRMED, enrolment_id=reserve["enrolment_id"],
        hold_id=reserve["hold_id"], sme_id=sme["sme_id"], session_id=session["session_id"],
        sponsor_share=5_000_000, sme_share=5_000_000,
        reservation_id=body["reservation"]["id"])
    assert outcome == "applied"
    assert market.balance(sponsor, fund) | {} == {
        "deposited": 20_000_000, "adjusted": 0, "reserved": 0, "committed": 5_000_000,
        "available": 15_000_000}


def test_a_team_without_enough_women_is_told_why(market):
    sponsor = market.sponsor()
    fund = market.fund(sponsor)
    market.offer(sponsor, fund, {"min_women_percent": 50})
    session, sme = market.session(), market.sme()

    body = market.quote(sme["sme_id"], session["session_id"], team(4, women=1)).get_json()

    assert body["sponsor_share"] == 0
    (declined,) = body["declined"]
    assert [r["code"] for r in declined["reasons"]] == ["REASON_WOMEN_SHARE_BELOW_MIN"]
