"""Enrolment's state tables, every (state, action) pair straight through the tables."""

from __future__ import annotations

import pytest

from services.enrolment import lifecycle
from shared.errors import InvalidTransition

ALLOWED = {
    ("held", "start_payment"): "awaiting_payment", ("held", "confirm"): "confirmed",
    ("held", "cancel"): "cancelled", ("held", "expire"): "expired",
    ("awaiting_payment", "pay"): "confirmed", ("awaiting_payment", "confirm"): "confirmed",
    ("awaiting_payment", "payment_failed"): "held",
    ("awaiting_payment", "cancel"): "cancelled", ("awaiting_payment", "expire"): "expired",
    ("confirmed", "complete"): "completed", ("confirmed", "cancel"): "cancelled",
    ("expired", "late_payment"): "confirmed",
}


@pytest.mark.parametrize(("state", "action"), lifecycle.ENROLMENT.pairs())
def test_enrolment_transitions_are_exactly_the_table(state, action):
    expected = ALLOWED.get((state, action))
    if expected is None:
        with pytest.raises(InvalidTransition):
            lifecycle.ENROLMENT.next(state, action)
    else:
        assert lifecycle.ENROLMENT.next(state, action) == expected


PAYMENTS = {("pending", "succeed"): "paid", ("pending", "fail"): "failed",
            ("paid", "refund"): "refund_pending", ("refund_pending", "refunded"): "refunded"}


@pytest.mark.parametrize(("state", "action"), lifecycle.PAYMENT.pairs())
def test_payment_transitions_are_exactly_the_table(state, action):
    expected = PAYMENTS.get((state, action))
    if expected is None:
        with pytest.raises(InvalidTransition):
            lifecycle.PAYMENT.next(state, action)
    else:
        assert lifecycle.PAYMENT.next(state, action) == expected


def test_terminal_enrolment_states_allow_nothing():
    for state in ("completed", "cancelled"):
        assert lifecycle.ENROLMENT.actions(state) == set()


@pytest.mark.parametrize(("state", "action"), lifecycle.STATEMENT.pairs())
def test_statement_transitions_are_exactly_the_table(state, action):
    if (state, action) == ("issued", "pay"):
        assert lifecycle.STATEMENT.next(state, action) == "paid"
    else:
        with pytest.raises(InvalidTransition):
            lifecycle.STATEMENT.next(state, action)
