"""The market of ``bench/sponsorship.py`` quotes as the bench says, and its overspent count
counts.

The bench is not run by the suite; this keeps its seed in step with the use cases
(a changed signature or rule fails here, not as a bench measuring 404s) and checks
that ``overspent`` sees a fund taken below zero.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import insert

from bench.sponsorship import overspent, quote_body, seed_market
from services.sponsorship import ledger, service
from services.sponsorship.models import FundTransaction
from shared.auth import Principal


def _quote(db, sme_id: str, body: bytes):
    principal = Principal(f"user-{sme_id}", "sme_user", sme_id, "sme")
    return service.quote(db, principal, json.loads(body, object_hook=_dates))


def _dates(obj: dict) -> dict:
    if "expires_at" in obj:
        obj["expires_at"] = dt.datetime.fromisoformat(obj["expires_at"])
    return obj


def test_the_preview_applies_two_offers_and_declines_four(db):
    market = seed_market(db, smes=2, rush_seats=3)
    sme = market.sme_ids[0]

    result = _quote(db, sme, quote_body(sme, market.sessions["preview"], 4, False))

    assert (result.price, result.sponsor_share) == (10_000_000, 7_000_000)
    assert {line["fund_id"] for line in result.applied} == {market.funds["APBN 2027"]}
    assert len(result.applied) == 2 and len(result.declined) == 4
    assert result.reservation is None


def test_reservations_on_the_hot_session_take_only_the_hot_fund(db):
    market = seed_market(db, smes=2, rush_seats=3)
    sme = market.sme_ids[1]

    result = _quote(db, sme, quote_body(sme, market.sessions["hot"], 4, True))

    assert result.created and result.sponsor_share == 10_000_000
    assert [line["fund_id"] for line in result.applied] == [market.funds["hot"]]
    with db.reading() as session:
        assert ledger.balance(session, market.funds["hot"]).reserved == 4


def test_overspent_counts_a_fund_taken_below_zero(db):
    market = seed_market(db, smes=2, rush_seats=3)
    sme = market.sme_ids[0]
    for _ in range(3):
        _quote(db, sme, quote_body(sme, market.sessions["rush"], 2, True))
    assert overspent(db) == 0
    with db.reading() as session:
        assert ledger.balance(session, market.funds["rush"]).available == 0

    # A spender that skipped the lock and the check: one seat more than the fund has.
    with db.transaction() as session:
        session.execute(insert(FundTransaction), [{
            "fund_id": market.funds["rush"], "kind": "reservation", "amount": 1,
            "idempotency_key": "unchecked", "created_by": "bench-test"}])

    assert overspent(db) == 1
