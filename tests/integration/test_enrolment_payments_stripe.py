"""Stripe's API as stripe-mock checks it: every request enrolment sends has a shape Stripe accepts.

stripe-mock validates each request against Stripe's OpenAPI specification (unknown
or mistyped parameters are a 400), so a call it answers is a call Stripe accepts.
A recording HTTP client beside it shows what went out: amounts ×100, idempotency keys.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse

import pytest
import stripe

from services import enrolment
from services.enrolment.payments.gateway import CheckoutRequest, GatewayError, RefundTarget
from services.enrolment.payments.stripe_gateway import StripeGateway
from services.enrolment.service import refunds
from shared import clock
from tests.enrolment import payments_world as w
from tests.support.apps import migrated_sqlite

pytestmark = pytest.mark.integration

SECRET = "whsec_integration"


class Recording(stripe.RequestsClient):
    """Stripe's own HTTP client, remembering each request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str, dict, dict]] = []

    def request(self, method, url, headers, post_data=None):
        form = urllib.parse.parse_qs(post_data or "")
        self.sent.append((method, url, dict(headers), {k: v[0] for k, v in form.items()}))
        return super().request(method, url, headers, post_data)


@pytest.fixture
def recorder(monkeypatch):
    recording = Recording()
    original = stripe.StripeClient.__init__

    def with_recorder(self, api_key, **kwargs):
        original(self, api_key, http_client=recording, **kwargs)

    monkeypatch.setattr(stripe.StripeClient, "__init__", with_recorder)
    return recording


def checkout_request(**overrides) -> CheckoutRequest:
    values = {"payment_id": "pay-1", "enrolment_id": "enr-1",
              "description": "SCORE M1: Kerja sama – Bandung, 2026-03-10", "unit_amount": 1_500_000,
              "quantity": 3, "expires_at": clock.now() + dt.timedelta(minutes=45),
              "success_url": "https://enrolment.example/checkout/pay-1/done",
              "cancel_url": "https://enrolment.example/checkout/pay-1/cancelled",
              "customer_email": "owner@sme.example"}
    return CheckoutRequest(**{**values, **overrides})


def test_a_checkout_session_request_is_accepted_with_rupiah_times_100(stripe_mock_url,
                                                                      recorder):
    gateway = StripeGateway("sk_test_123", stripe_mock_url)
    request = checkout_request()

    ref = gateway.create_checkout(request, idempotency_key="checkout:pay-1")

    assert ref.id.startswith("cs_") and ref.url.startswith("https://")
    method, url, headers, form = recorder.sent[-1]
    assert (method, url) == ("post", f"{stripe_mock_url}/v1/checkout/sessions")
    assert headers["Idempotency-Key"] == "checkout:pay-1"
    assert form["mode"] == "payment"
    assert form["line_items[0][price_data][currency]"] == "idr"
    assert form["line_items[0][price_data][unit_amount]"] == "150000000"
    assert form["line_items[0][quantity]"] == "3"
    assert form["expires_at"] == str(int(request.expires_at.timestamp()))
    assert form["metadata[enrolment_id]"] == "enr-1" and form["metadata[payment_id]"] == "pay-1"
    assert form["client_reference_id"] == "enr-1"


def test_a_refund_and_an_expiry_are_accepted_with_their_keys(stripe_mock_url, recorder):
    gateway = StripeGateway("sk_test_123", stripe_mock_url)

    refund = gateway.refund(RefundTarget(payment_id="pay-1", enrolment_id="enr-1",
                                         checkout_id="cs_test_1", payment_intent_id="pi_test_1",
                                         paid_amount=4_500_000), 2_250_000,
                            idempotency_key="refund:pay-1")
    gateway.expire_checkout("cs_test_1", idempotency_key="expire:pay-1")

    assert refund.id.startswith("re_") and refund.after_commit is None
    (_, refund_url, refund_headers, refund_form), (_, expire_url, expire_headers, _) = \
        recorder.sent[-2:]
    assert refund_url.endswith("/v1/refunds") and refund_headers["Idempotency-Key"] == \
        "refund:pay-1"
    assert refund_form["payment_intent"] == "pi_test_1" and refund_form["amount"] == "225000000"
    assert expire_url.endswith("/v1/checkout/sessions/cs_test_1/expire")
    assert expire_headers["Idempotency-Key"] == "expire:pay-1"


def test_stripe_mock_refuses_a_shape_stripe_would_refuse_and_that_is_a_gateway_error(
        stripe_mock_url, monkeypatch):
    # What makes the acceptance above mean something: a parameter Stripe does not
    # know is refused, and the refusal becomes a 502 problem, not a crash.
    from services.enrolment.payments import stripe_gateway

    shapely = stripe_gateway.checkout_params
    monkeypatch.setattr(stripe_gateway, "checkout_params",
                        lambda request: {**shapely(request), "colour": "blue"})
    gateway = StripeGateway("sk_test_123", stripe_mock_url)
    with pytest.raises(GatewayError) as refused:
        gateway.create_checkout(checkout_request(), idempotency_key="checkout:bad")
    assert refused.value.status == 502
    assert "additional properties are not allowed" in refused.value.detail


@pytest.fixture
def app(tmp_path, app_config, stripe_mock_url, recorder):
    """The enrolment app with the Stripe gateway pointed at stripe-mock."""
    application = enrolment.create_app(app_config(
        database_url=migrated_sqlite(enrolment.runtime(), tmp_path),
        stripe_api_key="sk_test_123", stripe_api_base=stripe_mock_url,
        stripe_webhook_secret=SECRET, public_url="https://enrolment.example"))
    yield application
    application.extensions["score_db"].dispose()


def test_checkout_pay_and_refund_through_stripe(app, recorder, auth):
    db, client = app.extensions["score_db"], app.test_client()
    w.seed_world(db)
    enrolment_id = w.hold(db, size=3)

    response = client.post(f"/enrolments/{enrolment_id}/checkout",
                           headers=auth("sme_user", "sme1", "sme"))

    assert response.status_code == 201, response.json
    payment = w.payment(db, response.json["payment"]["id"])
    assert payment.gateway == "stripe" and payment.checkout_id.startswith("cs_")
    assert response.json["checkout_url"] == payment.checkout_url
    _, _, headers, form = recorder.sent[-1]
    assert headers["Idempotency-Key"] == f"checkout:{payment.id}"
    assert form["success_url"] == f"https://enrolment.example/checkout/{payment.id}/done"
    assert form["line_items[0][price_data][unit_amount]"] == str(w.PRICE * 100)

    paid = w.deliver(client, w.stripe_event("checkout.session.completed",
                                            w.checkout_session(payment)), secret=SECRET)
    assert paid.json["outcome"] == "confirmed"

    with db.transaction() as session:
        from services.enrolment.models import Enrolment
        from services.enrolment.service import holds

        row = session.get(Enrolment, enrolment_id)
        holds.release(session, row, "cancel", actor="u", reason="changed plans",
                      policy=w.POLICY)
        refunds.refund_for_cancellation(session, row, 100, actor="u", reason="changed plans",
                                        payments=app.extensions["enrolment_payments"])
    refunded = w.payment(db, payment.id)
    assert refunded.status == "refund_pending" and refunded.refund_gateway_id.startswith("re_")
    _, url, headers, form = recorder.sent[-1]
    assert url.endswith("/v1/refunds") and headers["Idempotency-Key"] == f"refund:{payment.id}"
    assert form["payment_intent"] == refunded.payment_intent_id
