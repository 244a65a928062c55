"""Cancellation's money: the policy's share refunded once; card via the gateway, bank by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from services.enrolment import rules
from services.enrolment.models import Enrolment
from services.enrolment.service import holds, refunds
from shared import clock as shared_clock
from tests.enrolment import payments_world as w


@pytest.fixture
def db(app):
    return app.extensions["score_db"]


@pytest.fixture
def payments(app):
    return app.extensions["enrolment_payments"]


@pytest.fixture
def world(db):
    w.seed_world(db, start_in_days=30)


@pytest.fixture
def provider(auth):
    return auth("provider_staff", w.PROVIDER, "provider")


def paid_by_card(client, db, sme, headers, size=2):
    enrolment_id = w.hold(db, sme, size)
    payment_id = client.post(f"/enrolments/{enrolment_id}/checkout",
                             headers=headers).json["payment"]["id"]
    pay = w.payment(db, payment_id)
    assert w.deliver(client, w.stripe_event("checkout.session.completed",
                                            w.checkout_session(pay))).status_code == 200
    return enrolment_id, payment_id


def paid_by_transfer(client, db, sme, headers, provider, size=2):
    enrolment_id = w.hold(db, sme, size)
    invoice = client.post(f"/enrolments/{enrolment_id}/invoice", headers=headers).json
    response = client.post(f"/invoices/{invoice['id']}/confirm", headers=provider, json={
        "amount_received": invoice["amount"], "received_on": shared_clock.today().isoformat(),
        "bank_reference": "BCA 9"})
    assert response.status_code == 200
    return enrolment_id, invoice["id"]


@pytest.fixture
def sme(auth):
    """The Authorization header of an SME's user."""
    return lambda sme_id: auth("sme_user", sme_id, "sme")


def cancel(db, payments, enrolment_id, percent, reason="changed plans"):
    """What the cancellation use case does: release the seats, then refund the share."""
    with db.transaction() as session:
        enrolment = session.get(Enrolment, enrolment_id, with_for_update=True)
        holds.release(session, enrolment, "cancel", actor="u", reason=reason, policy=w.POLICY)
        return refunds.refund_for_cancellation(session, enrolment, percent, actor="u",
                                               reason=reason, payments=payments)


@pytest.mark.parametrize(("days_before", "percent"), [(30, 100), (7, 100), (6, 50), (0, 0)])
def test_the_policy_refunds_in_full_a_week_ahead_half_after_and_nothing_once_started(
        days_before, percent):
    start = dt.date(2026, 3, 10)
    assert rules.refund_percent(start - dt.timedelta(days=days_before), start, started=False,
                                policy=w.POLICY) == percent
    assert rules.refund_percent(start - dt.timedelta(days=30), start, started=True,
                                policy=w.POLICY) == 0


def test_a_card_refund_goes_to_the_gateway_and_completes_with_its_webhook(
        client, db, world, payments, sme):
    enrolment_id, payment_id = paid_by_card(client, db, "sme1", sme("sme1"))

    refunded = cancel(db, payments, enrolment_id, 50)

    assert refunded is not None and refunded.id == payment_id
    pending = w.payment(db, payment_id)
    assert (pending.status, pending.refund_amount) == ("refund_pending", w.PRICE)
    assert pending.refund_gateway_id.startswith("re_sandbox_")
    assert w.counters(db) == (0, 0)
    w.deliver(client, w.stripe_event("charge.refunded", w.charge(pending, w.PRICE)))
    assert w.payment(db, payment_id).status == "refunded"
    assert w.event_types(db)[-1] == "payment.refunded"


def test_no_refund_leaves_the_payment_paid(client, db, world, payments, sme):
    enrolment_id, payment_id = paid_by_card(client, db, "sme1", sme("sme1"))
    assert cancel(db, payments, enrolment_id, 0) is None
    assert w.payment(db, payment_id).status == "paid"


def test_a_bank_refund_waits_for_the_provider_to_record_it(client, db, world, payments,
                                                           provider, sme):
    enrolment_id, payment_id = paid_by_transfer(client, db, "sme1", sme("sme1"), provider)
    cancel(db, payments, enrolment_id, 100)
    assert w.payment(db, payment_id).status == "refund_pending"

    response = client.post(f"/payments/{payment_id}/refund-paid", headers=provider, json={
        "refunded_on": shared_clock.today().isoformat(), "bank_reference": "BCA R-1"})

    assert response.status_code == 200
    assert response.json["status"] == "refunded"
    assert response.json["refund_amount"] == 2 * w.PRICE
    assert response.json["refunded_on"] == shared_clock.today().isoformat()
    assert w.mails(db)[-1] == "refund_issued"
    again = client.post(f"/payments/{payment_id}/refund-paid", headers=provider, json={
        "refunded_on": shared_clock.today().isoformat(), "bank_reference": "BCA R-1"})
    assert again.status_code == 409


def test_only_the_sessions_provider_records_a_bank_refund(client, db, world, payments,
                                                          provider, auth, sme):
    enrolment_id, payment_id = paid_by_transfer(client, db, "sme1", sme("sme1"), provider)
    cancel(db, payments, enrolment_id, 100)
    body = {"refunded_on": shared_clock.today().isoformat(), "bank_reference": "x"}
    stranger = auth("provider_staff", "other-provider", "provider")
    assert client.post(f"/payments/{payment_id}/refund-paid", headers=stranger,
                       json=body).status_code == 404
    assert client.post(f"/payments/{payment_id}/refund-paid", headers=auth(
        "sme_user", "sme1", "sme"), json=body).status_code == 403
    assert w.payment(db, payment_id).status == "refund_pending"


def test_a_card_refund_is_not_recorded_by_hand(client, db, world, payments, provider,
                                               sme):
    enrolment_id, payment_id = paid_by_card(client, db, "sme1", sme("sme1"))
    cancel(db, payments, enrolment_id, 100)
    response = client.post(f"/payments/{payment_id}/refund-paid", headers=provider, json={
        "refunded_on": shared_clock.today().isoformat(), "bank_reference": "x"})
    assert response.status_code == 409


def test_cancelling_while_unpaid_closes_the_open_payment(client, db, world, payments,
                                                         sme):
    enrolment_id = w.hold(db, "sme1", 2)
    payment_id = client.post(f"/enrolments/{enrolment_id}/checkout",
                             headers=sme("sme1")).json["payment"]["id"]

    assert cancel(db, payments, enrolment_id, 100) is None

    closed = w.payment(db, payment_id)
    assert (closed.status, closed.failure_reason) == ("failed", "enrolment_cancelled")
    late = w.deliver(client, w.stripe_event("checkout.session.completed",
                                            w.checkout_session(closed)))
    assert late.json["outcome"] == "no_change_failed"


def test_a_cancelled_session_refunds_every_paid_enrolment_exactly_once(
        client, db, world, payments, provider, sme):
    card = paid_by_card(client, db, "sme1", sme("sme1"))
    bank = paid_by_transfer(client, db, "sme2", sme("sme2"), provider)
    unpaid = w.hold(db, "sme3", 2)

    def cancel_session():
        with db.transaction() as session:  # what cancel_for_session does per open enrolment
            refunded = []
            for enrolment_id in (card[0], bank[0], unpaid):
                enrolment = session.get(Enrolment, enrolment_id, with_for_update=True)
                if enrolment.takes_seats:
                    holds.release(session, enrolment, "cancel", actor="catalog",
                                  reason="session_cancelled", policy=w.POLICY)
                refunded.append(refunds.refund_for_cancellation(
                    session, enrolment, 100, actor="catalog", reason="session_cancelled",
                    payments=payments))
            return [p.id if p else None for p in refunded]

    assert cancel_session() == [card[1], bank[1], None]
    assert cancel_session() == [None, None, None]  # redelivered: nothing twice
    for payment_id in (card[1], bank[1]):
        pay = w.payment(db, payment_id)
        assert (pay.status, pay.refund_amount, pay.refund_reason) == (
            "refund_pending", 2 * w.PRICE, "session_cancelled")
    assert w.counters(db) == (0, 0)
