"""Destination charges as stripe-mock checks them against Stripe's OpenAPI specification.

A provider with a Stripe connected account gets the card money straight from
Stripe: the Checkout Session's ``payment_intent_data`` carries
``transfer_data.destination`` and ``application_fee_amount`` (rupiah × 100).
stripe-mock refuses unknown or mistyped parameters, so an accepted request is
one Stripe accepts; the paid checkout then shows up in the provider's statement
as money already paid out, with the fee already withheld.
"""

from __future__ import annotations

import pytest

from services import enrolment
from services.enrolment.models import KnownProvider
from services.enrolment.payments.stripe_gateway import StripeGateway
from shared import clock
from tests.enrolment import payments_world as w
from tests.integration.test_enrolment_payments_stripe import (  # noqa: F401 - fixture
    SECRET,
    checkout_request,
    recorder,
)
from tests.support.apps import migrated_sqlite

pytestmark = pytest.mark.integration

ACCOUNT = "acct_1Nv0FGQ9RKHgCVdK"


def test_stripe_accepts_a_destination_charge_with_its_fee(stripe_mock_url, recorder):  # noqa: F811
    gateway = StripeGateway("sk_test_123", stripe_mock_url)

    ref = gateway.create_checkout(checkout_request(destination_account=ACCOUNT,
                                                   application_fee=225_000),
                                  idempotency_key="checkout:pay-dest")

    assert ref.id.startswith("cs_")
    _, url, headers, form = recorder.sent[-1]
    assert url.endswith("/v1/checkout/sessions")
    assert headers["Idempotency-Key"] == "checkout:pay-dest"
    assert form["payment_intent_data[transfer_data][destination]"] == ACCOUNT
    assert form["payment_intent_data[application_fee_amount]"] == "22500000"
    assert form["payment_intent_data[metadata][payment_id]"] == "pay-1"


@pytest.fixture
def app(tmp_path, app_config, stripe_mock_url, recorder):  # noqa: F811
    application = enrolment.create_app(app_config(
        database_url=migrated_sqlite(enrolment.runtime(), tmp_path),
        stripe_api_key="sk_test_123", stripe_api_base=stripe_mock_url,
        stripe_webhook_secret=SECRET, public_url="https://enrolment.example"))
    yield application
    application.extensions["score_db"].dispose()


def test_a_connected_providers_checkout_is_paid_out_by_stripe_in_its_statement(
        app, recorder, auth):  # noqa: F811
    db, client = app.extensions["score_db"], app.test_client()
    w.seed_world(db)
    with db.transaction() as session:
        session.add(KnownProvider(id=w.PROVIDER, legal_name="Lembaga Satu", status="approved",
                                  stripe_account_id=ACCOUNT))
    enrolment_id = w.hold(db, size=3)

    response = client.post(f"/enrolments/{enrolment_id}/checkout",
                           headers=auth("sme_user", "sme1", "sme"))

    assert response.status_code == 201, response.json
    payment = w.payment(db, response.json["payment"]["id"])
    assert (payment.destination_account, payment.application_fee) == (ACCOUNT, 225_000)
    _, _, _, form = recorder.sent[-1]
    assert form["payment_intent_data[transfer_data][destination]"] == ACCOUNT
    assert form["payment_intent_data[application_fee_amount]"] == "22500000"

    paid = w.deliver(client, w.stripe_event("checkout.session.completed",
                                            w.checkout_session(payment)), secret=SECRET)
    assert paid.json["outcome"] == "confirmed"

    month = clock.now().astimezone(clock.WIB).strftime("%Y-%m")
    statement = client.get(f"/providers/{w.PROVIDER}/statements/{month}",
                           headers=auth("provider_staff", w.PROVIDER, "provider")).json
    assert statement["card_collected"] == statement["card_collected_direct"] == 3 * w.PRICE
    assert statement["fee"] == statement["fee_withheld"] == 225_000
    assert statement["net_payable"] == 0
