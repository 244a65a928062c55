"""Fund ledgers: balances are computed from the transactions, a fact is booked once,
and nothing takes a fund below zero."""

from __future__ import annotations

import contextlib
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from services.sponsorship import ledger
from services.sponsorship.models import FundTransaction
from shared.errors import Conflict
from tests.catalog.conftest import assert_problem


@pytest.fixture
def fund(market):
    """(sponsor, fund) with IDR 100 deposited."""
    sponsor = market.sponsor()
    return sponsor, market.fund(sponsor, amount=100)


def book(db, fund_id: str, *moves: tuple[str, int, str]) -> None:
    with db.transaction() as session:
        ledger.lock_funds(session, [fund_id])
        for kind, amount, key in moves:
            ledger.append(session, fund_id, kind, amount, key, actor="test",
                          reason="test" if kind == "adjustment" else None)


def rows(db, fund_id: str) -> list[tuple[str, int]]:
    with db.reading() as session:
        return [(r.kind, r.amount) for r in session.scalars(
            select(FundTransaction).where(FundTransaction.fund_id == fund_id)
            .order_by(FundTransaction.id))]


def test_each_kind_of_row_moves_its_figure(db, fund):
    _sponsor, fund_id = fund
    book(db, fund_id, ("adjustment", -10, "a1"), ("reservation", 30, "r1"),
         ("reservation", 20, "r2"), ("commit", 30, "c1"), ("release", 20, "l2"),
         ("reversal", 5, "v1"), ("deposit", 50, "d2"))

    with db.reading() as session:
        found = ledger.balance(session, fund_id)
    # Reserved: 50 held, 30 committed, 20 released → 0; committed 30 − 5 reversed.
    assert found == ledger.Balance(deposited=150, adjusted=-10, reserved=0, committed=25)
    assert found.available == 115


def test_available_is_the_sum_of_every_rows_effect(db, fund):
    _sponsor, fund_id = fund
    book(db, fund_id, ("reservation", 40, "r1"), ("commit", 40, "c1"), ("adjustment", 7, "a"),
         ("reservation", 12, "r2"))

    with db.reading() as session:
        available = ledger.balance(session, fund_id).available
    assert available == sum(ledger.AVAILABLE_SIGN[kind] * amount
                            for kind, amount in rows(db, fund_id)) == 55


def test_balances_of_many_funds_in_one_call_include_funds_without_rows(db, market, fund):
    sponsor, fund_id = fund
    other = market.fund(sponsor, amount=7)
    with db.reading() as session:
        found = ledger.balances(session, [fund_id, other, "no-such-fund"])
    assert {k: v.available for k, v in found.items()} == {fund_id: 100, other: 7,
                                                          "no-such-fund": 0}


def test_the_same_key_returns_the_first_row_and_books_nothing_twice(db, fund):
    _sponsor, fund_id = fund
    with db.transaction() as session:
        first = ledger.append(session, fund_id, "reservation", 30, "reserve:h1:o1", actor="t")
        again = ledger.append(session, fund_id, "reservation", 30, "reserve:h1:o1", actor="t")
        assert again.id == first.id
    assert rows(db, fund_id) == [("deposit", 100), ("reservation", 30)]


@pytest.mark.parametrize(("kind", "amount"), [("reservation", 31), ("release", 30)])
def test_a_used_key_for_another_movement_is_a_conflict(db, fund, kind, amount):
    _sponsor, fund_id = fund
    book(db, fund_id, ("reservation", 30, "reserve:h1:o1"))
    with pytest.raises(Conflict) as refused, db.transaction() as session:
        ledger.append(session, fund_id, kind, amount, "reserve:h1:o1", actor="t")
    assert refused.value.errors == {"idempotency_key": ["already used"]}
    assert rows(db, fund_id) == [("deposit", 100), ("reservation", 30)]


@pytest.mark.parametrize(("kind", "amount"), [("reservation", 101), ("adjustment", -101)])
def test_nothing_takes_a_fund_below_zero(db, fund, kind, amount):
    _sponsor, fund_id = fund
    with pytest.raises(ledger.InsufficientFunds) as refused, db.transaction() as session:
        ledger.lock_funds(session, [fund_id])
        ledger.append(session, fund_id, kind, amount, "k", actor="t", reason="r")
    assert refused.value.errors == {"amount": ["at most 100 available"]}
    assert rows(db, fund_id) == [("deposit", 100)]
    book(db, fund_id, (kind, -100 if kind == "adjustment" else 100, "k"))  # exactly all: fine
    with db.reading() as session:
        assert ledger.balance(session, fund_id).available == 0


def test_a_negative_adjustment_that_would_overdraw_is_refused_over_http(market, db, fund):
    sponsor, fund_id = fund
    book(db, fund_id, ("reservation", 60, "r1"))
    response = market.client.post(f"/funds/{fund_id}/adjustments", json={
        "amount": -41, "reference": "AUDIT-1", "reason": "audit finding"},
        headers=market.staff(sponsor))
    assert_problem(response, 409, "amount")
    assert market.balance(sponsor, fund_id)["available"] == 40
    assert market.client.post(f"/funds/{fund_id}/adjustments", json={
        "amount": -40, "reference": "AUDIT-1", "reason": "audit finding"},
        headers=market.staff(sponsor)).status_code == 201
    assert market.balance(sponsor, fund_id) == {"deposited": 100, "adjusted": -40,
                                                "reserved": 60, "committed": 0, "available": 0}


def test_lock_funds_returns_the_funds_and_nothing_for_no_ids(db, fund):
    _sponsor, fund_id = fund
    with db.transaction() as session:
        assert ledger.lock_funds(session, []) == {}
        assert list(ledger.lock_funds(session, [fund_id, fund_id])) == [fund_id]


MOVES = st.lists(st.tuples(st.sampled_from(["deposit", "adjustment", "reservation"]),
                           st.integers(-50, 50).filter(bool)), max_size=12)


@settings(max_examples=15, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(moves=MOVES)
def test_whatever_is_asked_the_ledger_never_goes_below_zero(db, fund, moves):
    _sponsor, fund_id = fund
    for kind, amount in moves:
        amount = amount if kind == "adjustment" else abs(amount)
        with contextlib.suppress(ledger.InsufficientFunds):  # refused: nothing written
            book(db, fund_id, (kind, amount, str(uuid.uuid4())))
    with db.reading() as session:
        available = ledger.balance(session, fund_id).available
    assert available >= 0
    assert available == sum(ledger.AVAILABLE_SIGN[k] * a for k, a in rows(db, fund_id))
