"""Lifecycles: every state × every action of each table, directly (pure, all pairs); through
HTTP a sample proving the wiring – an allowed command changes state and emits its event,
a refused one is 409 ``invalid-transition`` and changes nothing (no row, no event)."""

from __future__ import annotations

import pytest

from services.sponsorship import lifecycle
from tests.catalog.conftest import assert_problem, outbox_types
from tests.sponsorship.builders import ADMIN
from tests.support.lifecycles import lifecycle_table_tests

SPONSORSHIP = "score.sponsorship."

# The specification, written out: (state, action) -> next state. Every other pair is refused.
SPONSOR_MOVES = {("pending", "approve"): "approved", ("approved", "suspend"): "suspended",
                 ("suspended", "approve"): "approved"}
FUND_MOVES = {("open", "close"): "closed"}
OFFER_MOVES = {("draft", "publish"): "published", ("draft", "withdraw"): "withdrawn",
               ("published", "withdraw"): "withdrawn"}
RESERVATION_MOVES = {("reserved", "commit"): "committed", ("reserved", "release"): "released",
                     ("released", "late_commit"): "committed",
                     ("committed", "reverse"): "reversed"}
TABLES = [(lifecycle.SPONSOR, SPONSOR_MOVES, ["pending", "approved", "suspended"]),
          (lifecycle.FUND, FUND_MOVES, ["open", "closed"]),
          (lifecycle.OFFER, OFFER_MOVES, ["draft", "published", "withdrawn"]),
          (lifecycle.RESERVATION, RESERVATION_MOVES,
           ["reserved", "committed", "released", "reversed"])]
(test_each_lifecycle_has_exactly_the_specified_states_and_actions,
 test_every_state_allows_exactly_the_specified_actions) = lifecycle_table_tests(TABLES)


def test_terminal_states_allow_nothing():
    assert lifecycle.FUND.actions("closed") == set()
    assert lifecycle.OFFER.actions("withdrawn") == set()
    assert lifecycle.RESERVATION.actions("reversed") == set()


# -- through HTTP -------------------------------------------------------------------------

def _sponsor_in(market, state: str) -> str:
    if state == "approved":
        return market.sponsor()
    response = market.client.post("/sponsors", json={
        "name": "Yayasan Maju", "kind": "donor", "contact_name": "Pak Budi",
        "contact_email": "budi@maju.example", "contact_phone": "+62 21 555 0101"},
        headers=market.auth("sponsor_staff", subject=f"new-{state}"))
    sponsor_id = response.get_json()["id"]
    if state == "suspended":
        market.client.post(f"/sponsors/{sponsor_id}/approve", json={},
                           headers=market.auth(*ADMIN))
        market.client.post(f"/sponsors/{sponsor_id}/suspend", json={"reason": "audit"},
                           headers=market.auth(*ADMIN))
    return sponsor_id


@pytest.mark.parametrize(("state", "action", "event"), [
    ("suspended", "approve", "sponsor.approved.v1"),
    ("approved", "suspend", "sponsor.suspended.v1"),
    ("pending", "suspend", None),
    ("approved", "approve", None),
])
def test_sponsor_commands_through_http(market, db, state, action, event):
    sponsor = _sponsor_in(market, state)
    before = outbox_types(db)
    response = market.client.post(f"/sponsors/{sponsor}/{action}",
                                  json={"reason": "reviewed"}, headers=market.auth(*ADMIN))
    _check(market, db, response, f"/sponsors/{sponsor}", state, before,
           (state, action) in SPONSOR_MOVES, event)


@pytest.mark.parametrize(("state", "action", "event"), [
    ("draft", "publish", "offer.published.v1"),
    ("draft", "withdraw", None),  # a draft was never announced
    ("published", "withdraw", "offer.withdrawn.v1"),
    ("withdrawn", "publish", None),
    ("published", "publish", None),
])
def test_offer_commands_through_http(market, db, state, action, event):
    sponsor = market.sponsor()
    offer = market.offer(sponsor, market.fund(sponsor), publish=state != "draft")
    if state == "withdrawn":
        market.client.post(f"/offers/{offer}/withdraw", json={"reason": "budget moved"},
                           headers=market.staff(sponsor))
    before = outbox_types(db)
    response = market.client.post(f"/offers/{offer}/{action}", json={"reason": "ended"},
                                  headers=market.staff(sponsor))
    _check(market, db, response, f"/offers/{offer}", state, before,
           (state, action) in OFFER_MOVES, event, market.staff(sponsor))


@pytest.mark.parametrize("state", ["open", "closed"])
def test_fund_close_through_http(market, db, state):
    sponsor = market.sponsor()
    fund = market.fund(sponsor)
    close = {"reason": "budget year ended"}
    if state == "closed":
        market.client.post(f"/funds/{fund}/close", json=close, headers=market.staff(sponsor))
    before = outbox_types(db)
    response = market.client.post(f"/funds/{fund}/close", json=close,
                                  headers=market.staff(sponsor))
    _check(market, db, response, f"/funds/{fund}", state, before, state == "open",
           "fund.closed.v1" if state == "open" else None, market.staff(sponsor))
    if state == "open":
        assert response.get_json()["closed_reason"] == "budget year ended"


def _check(market, db, response, path, state, before, allowed, event, reader=None):
    reader = reader or market.auth("ilo_auditor", subject="auditor-1")
    if allowed:
        assert response.status_code == 200, response.get_json()
        assert outbox_types(db)[len(before):] == ([SPONSORSHIP + event] if event else [])
    else:
        body = assert_problem(response, 409, "status")
        assert body["type"].endswith("/invalid-transition")
        assert outbox_types(db) == before
        assert market.client.get(path, headers=reader).get_json()["status"] == state
