"""Cancellations through the real paths refund what the policy grants; overdue invoices fail.

The SME cancels over HTTP, catalog cancels a session by event (enrolment's consumer),
the reaper expires an overdue invoice: each one's money side, end to end.
"""

from __future__ import annotations

import datetime as dt

import pytest

from services.enrolment.service import expiry
from shared import clock as shared_clock
from tests.enrolment import payments_world as w
from tests.enrolment.builders import days, register_sme, team


@pytest.fixture
def smes(db, policy, auth):
    """Three registered SMEs: their users' headers."""
    return [auth("sme_user", register_sme(db, policy, subject=name), "sme", subject=name)
            for name in ("sari", "budi", "wati")]


@pytest.fixture
def provider(auth):
    return auth("provider_staff", "prov-1", "provider")


def enrol(client, session_id, headers, size=2) -> str:
    response = client.post(f"/sessions/{session_id}/enrolments",
                           json={"participants": team(size)}, headers=headers)
    assert response.status_code == 201, response.json
    return response.json["id"]


def pay_by_card(client, db, enrolment_id, headers) -> str:
    payment_id = client.post(f"/enrolments/{enrolment_id}/checkout",
                             headers=headers).json["payment"]["id"]
    response = w.deliver(client, w.stripe_event("checkout.session.completed",
                                                w.checkout_session(w.payment(db, payment_id))))
    assert response.json["outcome"] == "confirmed"
    return payment_id


def pay_by_transfer(client, enrolment_id, headers, provider) -> str:
    invoice = client.post(f"/enrolments/{enrolment_id}/invoice", headers=headers).json
    response = client.post(f"/invoices/{invoice['id']}/confirm", headers=provider, json={
        "amount_received": invoice["amount"], "received_on": shared_clock.today().isoformat(),
        "bank_reference": "BCA 77"})
    assert response.status_code == 200
    return invoice["id"]


def cancel(client, enrolment_id, headers):
    return client.post(f"/enrolments/{enrolment_id}/cancel", json={"reason": "team is ill"},
                       headers=headers)


@pytest.mark.parametrize(("start_in", "refunded"), [(30, 5_000_000), (5, 2_500_000)])
def test_an_sme_cancelling_gets_the_policys_share_back(client, db, catalog, smes, start_in,
                                                       refunded):
    ts = catalog.session(start_date=days(start_in), end_date=days(start_in + 1),
                         enrolment_deadline=days(min(start_in, 20)))
    enrolment_id = enrol(client, ts["session_id"], smes[0])
    payment_id = pay_by_card(client, db, enrolment_id, smes[0])

    assert cancel(client, enrolment_id, smes[0]).status_code == 200

    pay = w.payment(db, payment_id)
    assert (pay.status, pay.refund_amount) == ("refund_pending", refunded)
    assert pay.refund_reason == "team is ill"


def test_a_cancellation_once_the_session_started_refunds_nothing(client, db, catalog, smes,
                                                                 provider, clock):
    ts = catalog.session(start_date=days(3), end_date=days(4), enrolment_deadline=days(2))
    enrolment_id = enrol(client, ts["session_id"], smes[0])
    payment_id = pay_by_transfer(client, enrolment_id, smes[0], provider)
    clock.move_to(days(3))
    catalog.send("started", {**ts, "status": "in_progress"})

    assert cancel(client, enrolment_id, provider).status_code == 200

    assert w.payment(db, payment_id).status == "paid"


def test_a_cancelled_session_refunds_every_paid_enrolment_in_full_once(client, db, catalog,
                                                                       smes, provider):
    ts = catalog.session()
    by_card = enrol(client, ts["session_id"], smes[0])
    card_payment = pay_by_card(client, db, by_card, smes[0])
    by_transfer = enrol(client, ts["session_id"], smes[1], size=3)
    bank_payment = pay_by_transfer(client, by_transfer, smes[1], provider)
    unpaid = enrol(client, ts["session_id"], smes[2])
    open_checkout = client.post(f"/enrolments/{unpaid}/checkout",
                                headers=smes[2]).json["payment"]["id"]
    cancelled = {**ts, "status": "cancelled", "reason": "trainer unavailable"}

    assert catalog.send("cancelled", cancelled) == "applied"
    # Catalog publishes the cancellation again (a new event, not a redelivery).
    assert catalog.send("cancelled", cancelled) == "applied"

    card, bank = w.payment(db, card_payment), w.payment(db, bank_payment)
    assert (card.status, card.refund_amount, card.refund_reason) == (
        "refund_pending", 5_000_000, "session_cancelled")
    assert (bank.status, bank.refund_amount) == ("refund_pending", 7_500_000)
    assert w.payment(db, open_checkout).status == "failed"
    assert w.counters(db, ts["session_id"]) == (0, 0)
    assert {w.enrolment(db, e).status for e in (by_card, by_transfer, unpaid)} == {"cancelled"}
    assert w.event_types(db).count("enrolment.cancelled") == 3


def test_the_reaper_fails_an_overdue_invoice_with_its_enrolment(client, db, catalog, smes,
                                                                policy, clock):
    ts = catalog.session()
    enrolment_id = enrol(client, ts["session_id"], smes[0])
    invoice = client.post(f"/enrolments/{enrolment_id}/invoice", headers=smes[0]).json
    clock.move_to(dt.date.fromisoformat(invoice["due_date"]) + dt.timedelta(days=1))

    assert expiry.reap(db, policy) == 1

    lapsed = w.payment(db, invoice["id"])
    assert (lapsed.status, lapsed.failure_reason) == ("failed", "invoice_overdue")
    assert w.enrolment(db, enrolment_id).status == "expired"
    assert w.event_types(db)[-2:] == ["enrolment.expired", "payment.failed"]


def test_the_reaper_leaves_a_card_checkout_for_stripe_to_settle(client, db, catalog, smes,
                                                                policy, clock):
    ts = catalog.session()
    enrolment_id = enrol(client, ts["session_id"], smes[0])
    payment_id = client.post(f"/enrolments/{enrolment_id}/checkout",
                             headers=smes[0]).json["payment"]["id"]
    clock.advance(hours=2)

    assert expiry.reap(db, policy) == 1

    assert w.payment(db, payment_id).status == "pending"
    late = w.deliver(client, w.stripe_event("checkout.session.completed",
                                            w.checkout_session(w.payment(db, payment_id))))
    assert late.json["outcome"] == "confirmed_late"


def test_a_checkout_being_paid_during_the_cancellation_is_refunded_in_full_by_its_webhook(
        client, db, catalog, smes, monkeypatch):
    from services.enrolment.payments.gateway import CheckoutClosed
    from services.enrolment.payments.sandbox import SandboxGateway

    def completing(self, checkout_id, idempotency_key):
        raise CheckoutClosed("Only Checkout Sessions with a status of 'open' can be expired")

    ts = catalog.session(start_date=days(5), end_date=days(6), enrolment_deadline=days(4))
    enrolment_id = enrol(client, ts["session_id"], smes[0])
    payment_id = client.post(f"/enrolments/{enrolment_id}/checkout",
                             headers=smes[0]).json["payment"]["id"]
    monkeypatch.setattr(SandboxGateway, "expire_checkout", completing)  # Stripe's refusal

    assert cancel(client, enrolment_id, smes[0]).status_code == 200
    assert w.payment(db, payment_id).status == "pending"

    late = w.deliver(client, w.stripe_event("checkout.session.completed",
                                            w.checkout_session(w.payment(db, payment_id))))
    assert late.json["outcome"] == "refunded"
    pay = w.payment(db, payment_id)
    assert (pay.status, pay.refund_amount, pay.refund_reason) == (
        "refund_pending", pay.amount, "paid_while_cancelled")
    assert w.enrolment(db, enrolment_id).status == "cancelled"


def test_switching_to_transfer_while_the_card_is_being_paid_is_refused(client, db, catalog,
                                                                      smes, monkeypatch):
    from services.enrolment.payments.gateway import CheckoutClosed
    from services.enrolment.payments.sandbox import SandboxGateway

    def completing(self, checkout_id, idempotency_key):
        raise CheckoutClosed("Only Checkout Sessions with a status of 'open' can be expired")

    ts = catalog.session()
    enrolment_id = enrol(client, ts["session_id"], smes[0])
    payment_id = client.post(f"/enrolments/{enrolment_id}/checkout",
                             headers=smes[0]).json["payment"]["id"]
    monkeypatch.setattr(SandboxGateway, "expire_checkout", completing)

    response = client.post(f"/enrolments/{enrolment_id}/invoice", headers=smes[0])

    assert response.status_code == 409
    assert w.payment(db, payment_id).status == "pending"
    assert len(client.get(f"/enrolments/{enrolment_id}/payments", headers=smes[0]).json) == 1
