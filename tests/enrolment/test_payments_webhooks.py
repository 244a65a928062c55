"""Stripe's webhook: signed events verified, stored once and applied; everything else refused."""

from __future__ import annotations

import json
import time

import pytest

from tests.enrolment import payments_world as w


@pytest.fixture
def db(app):
    return app.extensions["score_db"]


@pytest.fixture
def world(db):
    w.seed_world(db)


@pytest.fixture
def checkout(client, db, world, auth):
    """A 3-person enrolment of sme1 awaiting its card payment: (enrolment id, payment)."""
    enrolment_id = w.hold(db, size=3)
    response = client.post(f"/enrolments/{enrolment_id}/checkout",
                           headers=auth("sme_user", "sme1", "sme"))
    return enrolment_id, w.payment(db, response.json["payment"]["id"])


def completed(pay, **kwargs) -> dict:
    return w.stripe_event("checkout.session.completed", w.checkout_session(pay), **kwargs)


def test_a_paid_checkout_confirms_the_enrolment(client, db, checkout):
    enrolment_id, pay = checkout

    response = w.deliver(client, completed(pay))

    assert response.status_code == 200
    assert response.json == {"received": True, "outcome": "confirmed"}
    assert w.payment(db, pay.id).status == "paid"
    assert w.payment(db, pay.id).payment_intent_id.startswith("pi_")
    assert w.enrolment(db, enrolment_id).status == "confirmed"
    assert w.counters(db) == (0, 3)
    assert w.event_types(db)[-2:] == ["payment.succeeded", "enrolment.confirmed"]
    assert w.mails(db)[-1] == "payment_received"
    assert w.stored_events(db) == 1


def test_a_bad_signature_is_refused_and_nothing_is_stored(client, db, checkout):
    enrolment_id, pay = checkout

    response = w.deliver(client, completed(pay), secret="whsec_someone_else")

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert w.stored_events(db) == 0
    assert w.payment(db, pay.id).status == "pending"
    assert w.enrolment(db, enrolment_id).status == "awaiting_payment"


def test_a_stale_timestamp_is_refused_and_nothing_is_stored(client, db, checkout):
    enrolment_id, pay = checkout

    response = w.deliver(client, completed(pay), timestamp=int(time.time()) - 301)

    assert response.status_code == 400
    assert w.stored_events(db) == 0
    assert w.enrolment(db, enrolment_id).status == "awaiting_payment"


def test_a_duplicate_delivery_answers_200_and_changes_nothing(client, db, checkout):
    _enrolment_id, pay = checkout
    event = completed(pay)
    w.deliver(client, event)
    before = (w.event_types(db), w.mails(db), w.counters(db))

    again = w.deliver(client, event)

    assert again.status_code == 200 and again.json["outcome"] == "duplicate"
    assert (w.event_types(db), w.mails(db), w.counters(db)) == before
    assert w.stored_events(db) == 1


def test_an_expiry_after_the_payment_changes_nothing(client, db, checkout):
    enrolment_id, pay = checkout
    w.deliver(client, completed(pay))

    late = w.deliver(client, w.stripe_event("checkout.session.expired", w.checkout_session(
        pay, status="expired", payment_status="unpaid")))

    assert late.status_code == 200 and late.json["outcome"] == "no_change_paid"
    assert w.payment(db, pay.id).status == "paid"
    assert w.enrolment(db, enrolment_id).status == "confirmed"
    assert w.counters(db) == (0, 3)
    assert w.stored_events(db) == 2


def test_an_unknown_event_type_is_stored_without_effect(client, db, checkout):
    _enrolment_id, pay = checkout
    before = w.event_types(db)

    response = w.deliver(client, w.stripe_event("customer.created", {"id": "cus_1",
                                                                    "object": "customer"}))

    assert response.status_code == 200 and response.json["outcome"] == "ignored"
    assert w.stored_events(db) == 1
    assert w.event_types(db) == before
    assert w.payment(db, pay.id).status == "pending"


def test_an_expired_checkout_expires_the_enrolment_and_releases_its_seats(client, db,
                                                                          checkout):
    enrolment_id, pay = checkout

    response = w.deliver(client, w.stripe_event("checkout.session.expired", w.checkout_session(
        pay, status="expired", payment_status="unpaid")))

    assert response.json["outcome"] == "expired"
    assert w.payment(db, pay.id).status == "failed"
    assert w.enrolment(db, enrolment_id).status == "expired"
    assert w.counters(db) == (0, 0)
    assert w.event_types(db)[-2:] == ["payment.failed", "enrolment.expired"]


def test_a_delayed_method_waits_for_its_outcome_then_confirms(client, db, checkout):
    enrolment_id, pay = checkout
    pending = w.deliver(client, w.stripe_event("checkout.session.completed", w.checkout_session(
        pay, payment_status="unpaid")))
    assert pending.json["outcome"] == "awaiting_async_payment"
    assert w.enrolment(db, enrolment_id).status == "awaiting_payment"

    response = w.deliver(client, w.stripe_event("checkout.session.async_payment_succeeded",
                                                w.checkout_session(pay)))

    assert response.json["outcome"] == "confirmed"
    assert w.enrolment(db, enrolment_id).status == "confirmed"


def test_a_failed_delayed_payment_puts_the_enrolment_back_on_hold(client, db, checkout):
    enrolment_id, pay = checkout

    response = w.deliver(client, w.stripe_event("checkout.session.async_payment_failed",
                                                w.checkout_session(pay, payment_status="unpaid")))

    assert response.json["outcome"] == "failed_back_to_held"
    assert w.payment(db, pay.id).status == "failed"
    assert w.enrolment(db, enrolment_id).status == "held"
    assert w.counters(db) == (3, 0)


def test_a_failed_delayed_payment_after_the_hold_lapsed_expires_the_enrolment(
        client, db, checkout, clock):
    enrolment_id, pay = checkout
    clock.advance(hours=1)

    response = w.deliver(client, w.stripe_event("checkout.session.async_payment_failed",
                                                w.checkout_session(pay, payment_status="unpaid")))

    assert response.json["outcome"] == "failed_expired"
    assert w.enrolment(db, enrolment_id).status == "expired"
    assert w.counters(db) == (0, 0)


def expire_hold(db, enrolment_id):
    from services.enrolment.models import Enrolment
    from services.enrolment.service import holds

    with db.transaction() as session:  # what the reaper does once the hold lapsed
        holds.release(session, session.get(Enrolment, enrolment_id), "expire", actor="reaper",
                      reason=None, policy=w.POLICY)


def test_a_payment_after_the_hold_lapsed_retakes_free_seats(client, db, checkout):
    enrolment_id, pay = checkout
    expire_hold(db, enrolment_id)

    response = w.deliver(client, completed(pay))

    assert response.json["outcome"] == "confirmed_late"
    after = w.enrolment(db, enrolment_id)
    assert after.status == "confirmed" and after.hold_id == f"{enrolment_id}/2"
    assert w.counters(db) == (0, 3)


def test_a_payment_after_the_seats_went_to_others_is_refunded_in_full(client, db, checkout):
    enrolment_id, pay = checkout
    expire_hold(db, enrolment_id)
    w.hold(db, "sme2", 6)
    w.hold(db, "sme3", 4)  # the session is full again

    response = w.deliver(client, completed(pay))

    assert response.json["outcome"] == "refunded"
    after = w.payment(db, pay.id)
    assert after.status == "refund_pending"
    assert (after.refund_amount, after.refund_reason) == (pay.amount, "late_payment_no_seats")
    assert after.refund_gateway_id.startswith("re_sandbox_")
    assert w.enrolment(db, enrolment_id).status == "expired"
    assert w.counters(db) == (10, 0)


def test_a_refunded_charge_completes_the_refund(client, db, checkout):
    enrolment_id, pay = checkout
    expire_hold(db, enrolment_id)
    w.hold(db, "sme2", 6)
    w.hold(db, "sme3", 4)
    w.deliver(client, completed(pay))
    pending = w.payment(db, pay.id)

    response = w.deliver(client, w.stripe_event("charge.refunded", w.charge(pending,
                                                                            pending.amount)))

    assert response.json["outcome"] == "refunded"
    assert w.payment(db, pay.id).status == "refunded"
    assert w.event_types(db)[-1] == "payment.refunded"
    assert w.mails(db)[-1] == "refund_issued"


def test_a_partial_refund_report_leaves_the_refund_pending(client, db, checkout):
    enrolment_id, pay = checkout
    expire_hold(db, enrolment_id)
    w.hold(db, "sme2", 6)
    w.hold(db, "sme3", 4)
    w.deliver(client, completed(pay))

    response = w.deliver(client, w.stripe_event("charge.refunded", w.charge(
        w.payment(db, pay.id), 1000)))

    assert response.json["outcome"] == "partially_refunded"
    assert w.payment(db, pay.id).status == "refund_pending"


def test_a_refund_made_in_stripes_dashboard_is_recorded(client, db, checkout):
    enrolment_id, pay = checkout
    w.deliver(client, completed(pay))

    response = w.deliver(client, w.stripe_event("charge.refunded", w.charge(
        w.payment(db, pay.id), 500_000)))

    assert response.json["outcome"] == "refunded"
    after = w.payment(db, pay.id)
    assert (after.status, after.refund_amount) == ("refunded", 500_000)
    assert w.enrolment(db, enrolment_id).status == "confirmed"


def test_an_event_for_a_checkout_not_ours_is_stored_without_effect(client, db, checkout):
    response = w.deliver(client, w.stripe_event("checkout.session.completed", {
        "id": "cs_not_ours", "object": "checkout.session", "payment_status": "paid"}))
    assert response.json["outcome"] == "unknown_checkout"
    assert w.stored_events(db) == 1


# ---------------------------------------------------------------- hostile input


def test_hostile_deliveries_are_400_and_store_nothing(client, db, checkout):
    enrolment_id, pay = checkout
    good_body, good_headers = w.signed(completed(pay))
    other_body = json.dumps(completed(pay, event_id="evt_other"))
    cases = {
        "no signature": (good_body, {"Content-Type": "application/json"}),
        "garbage": ("\x00\xff not json", good_headers),
        "signed garbage": w.signed("{not json"),
        "signed non-event": w.signed("[1, 2, 3]"),
        "signed event without data": w.signed(json.dumps({"id": "evt_1", "type": "x"})),
        "a signature over another body": (other_body, good_headers),
        "1 MiB body": ("x" * (1024 * 1024), good_headers),
        "NUL in the JSON": w.signed(json.dumps({**completed(pay), "id": "evt_\x00"})),
        "deeply nested": w.signed("[" * 40 + "]" * 40),
        "form-encoded": (good_body, {**good_headers,
                                     "Content-Type": "application/x-www-form-urlencoded"}),
        "a malformed header": (good_body, {"Stripe-Signature": "t=abc,v1=",
                                           "Content-Type": "application/json"}),
    }
    for name, (body, headers) in cases.items():
        response = client.post("/webhooks/stripe", data=body, headers=headers)
        assert response.status_code == 400, name
        assert response.mimetype == "application/problem+json", name
    assert w.stored_events(db) == 0
    assert w.payment(db, pay.id).status == "pending"
    assert w.enrolment(db, enrolment_id).status == "awaiting_payment"


def test_a_body_over_the_size_limit_is_413_and_stores_nothing(client, db, checkout):
    response = client.post("/webhooks/stripe", data="x" * (1024 * 1024 + 1),
                           headers={"Content-Type": "application/json",
                                    "Stripe-Signature": "t=1,v1=00"})
    assert response.status_code == 413
    assert w.stored_events(db) == 0


def test_the_webhook_needs_no_token_and_no_idempotency_key(app):
    document = app.test_client().get("/openapi.json").json
    operation = document["paths"]["/webhooks/stripe"]["post"]
    assert "security" not in operation
    assert [p["name"] for p in operation["parameters"] if p["in"] == "header"] == [
        "Stripe-Signature"]
