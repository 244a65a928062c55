"""Stripe Connect destination charges: a provider's connected account, from catalog's events."""

from __future__ import annotations

import datetime as dt

import pytest

from services.catalog import events as catalog_events
from services.enrolment.models import KnownProvider
from services.enrolment.payments import sandbox
from services.enrolment.payments.gateway import CheckoutRequest, GatewayError, RefundTarget
from services.enrolment.payments.stripe_gateway import checkout_params
from shared import clock
from shared.events import EventEnvelope
from tests.enrolment import payments_world as w


def provider_event(action: str = "updated", account: str | None = "acct_1Nv0FGQ9RKHgCVdK",
                   provider_id: str = w.PROVIDER, **extra) -> bytes:
    """catalog's provider event, checked against catalog's own schema."""
    kind = catalog_events.EVENTS[f"score.catalog.provider.{action}.v1"]
    payload = {"provider_id": provider_id, "legal_name": "Lembaga Pelatihan Satu",
               "npwp": "0123456789012345", "contact_name": "Siti", "email": "s@p.example",
               "phone": "+62 21 555", "website": None, "provinces_served": ["32"],
               "status": "approved", "stripe_account_id": account, "changed_by": "admin-1",
               **extra}
    return EventEnvelope.new("/score/catalog", kind.type, provider_id,
                             kind.validate(payload)).to_bytes()


def known(db, provider_id: str = w.PROVIDER) -> KnownProvider | None:
    with db.reading() as session:
        return session.get(KnownProvider, provider_id)


@pytest.fixture
def world(db):
    w.seed_world(db)


def test_provider_events_keep_the_read_model_and_its_connected_account(db, catalog):
    catalog.deliver(provider_event("registered", account=None, registered_by="u1",
                                   status="pending"))
    assert (known(db).status, known(db).stripe_account_id) == ("pending", None)

    catalog.deliver(provider_event("approved", account=None, reason=None),
                    provider_event("updated"))

    provider = known(db)
    assert (provider.status, provider.stripe_account_id) == ("approved", "acct_1Nv0FGQ9RKHgCVdK")
    assert provider.legal_name == "Lembaga Pelatihan Satu"

    catalog.deliver(provider_event("updated", account=None))
    assert known(db).stripe_account_id is None


def test_an_event_from_before_catalog_carried_the_account_reads_as_none(db, catalog):
    from services.enrolment.handlers import CatalogProvider

    data = CatalogProvider().load({"provider_id": "p", "legal_name": "L", "status": "approved",
                                   "unknown": 1}, unknown="exclude")
    assert data["stripe_account_id"] is None


def test_a_checkout_for_a_connected_provider_is_a_destination_charge(client, db, world, catalog,
                                                                     auth):
    catalog.deliver(provider_event())
    enrolment_id = w.hold(db, size=3)

    response = client.post(f"/enrolments/{enrolment_id}/checkout",
                           headers=auth("sme_user", "sme1", "sme"))

    assert response.status_code == 201, response.json
    body = response.json["payment"]
    assert body["destination_account"] == "acct_1Nv0FGQ9RKHgCVdK"
    assert body["application_fee"] == 3 * w.PRICE * 5 // 100  # the default 5 %
    payment = w.payment(db, body["id"])
    assert (payment.destination_account, payment.application_fee) == (
        "acct_1Nv0FGQ9RKHgCVdK", 225_000)
    page = client.get(f"/sandbox/checkout/{payment.id}").get_data(as_text=True)
    assert "Stripe Connect" in page


def test_without_a_connected_account_the_platform_collects(client, db, world, catalog, auth):
    catalog.deliver(provider_event(account=None))
    enrolment_id = w.hold(db, size=2)

    body = client.post(f"/enrolments/{enrolment_id}/checkout",
                       headers=auth("sme_user", "sme1", "sme")).json["payment"]

    assert body["destination_account"] is None and body["application_fee"] is None


def request(**overrides) -> CheckoutRequest:
    values = {"payment_id": "pay-1", "enrolment_id": "enr-1", "description": "SCORE M1",
              "unit_amount": 1_500_000, "quantity": 3,
              "expires_at": clock.now() + dt.timedelta(minutes=45),
              "success_url": "https://e.example/ok", "cancel_url": "https://e.example/no",
              "destination_account": "acct_A1", "application_fee": 225_000}
    return CheckoutRequest(**{**values, **overrides})


def test_the_stripe_parameters_of_a_destination_charge():
    params = checkout_params(request())

    assert params["payment_intent_data"] == {
        "metadata": {"enrolment_id": "enr-1", "payment_id": "pay-1"},
        "transfer_data": {"destination": "acct_A1"},
        "application_fee_amount": 22_500_000}  # rupiah × 100
    assert "transfer_data" not in checkout_params(
        request(destination_account=None, application_fee=None))["payment_intent_data"]


@pytest.mark.parametrize("overrides", [
    {"application_fee": None}, {"destination_account": None},
    {"application_fee": 4_500_001}, {"application_fee": -1}])
def test_a_destination_charge_names_its_account_and_a_fee_within_the_amount(overrides):
    with pytest.raises(ValueError):
        request(**overrides)


def test_the_sandbox_mirrors_a_destination_charge(app):
    gateway = app.extensions["enrolment_payments"].gateway("sandbox")
    with pytest.raises(GatewayError):
        gateway.create_checkout(request(destination_account="acct-nope"), "checkout:pay-1")
    assert gateway.create_checkout(request(), "checkout:pay-1").id == sandbox.checkout_id("pay-1")

    charge = sandbox.charge_refunded(RefundTarget(
        payment_id="pay-1", enrolment_id="enr-1", checkout_id="cs", payment_intent_id="pi_1",
        paid_amount=4_500_000, destination_account="acct_A1", application_fee=225_000),
        4_500_000)["data"]["object"]
    assert charge["transfer_data"] == {"amount": None, "destination": "acct_A1"}
    assert charge["application_fee_amount"] == 22_500_000
