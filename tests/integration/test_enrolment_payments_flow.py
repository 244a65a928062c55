"""The money flow across services on real Kafka, PostgreSQL and stripe-mock.

Catalog publishes a session; enrolment's consumer learns it; an SME enrols, pays
through a Stripe Checkout Session (stripe-mock) and Stripe's signed webhook
confirms it; catalog's consumer counts the seats. Then catalog cancels the
session: enrolment refunds the payment through Stripe, releases the seats, and
catalog frees them.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from services import catalog, enrolment
from shared.events.consumer import ConsumerRunner
from shared.events.relay import Relay
from tests.catalog.builders import Builder
from tests.enrolment import payments_world as w
from tests.enrolment.builders import register_sme, team
from tests.support.flows import eventually

pytestmark = pytest.mark.integration

SECRET = "whsec_flow"


@pytest.fixture
def apps(postgres, kafka_bootstrap, stripe_mock_url, app_config):
    """Catalog and enrolment, each on its own PostgreSQL database, both on Kafka."""
    names = [f"test_{uuid.uuid4().hex[:16]}" for _ in range(2)]
    urls = [postgres.create_database(name) for name in names]
    kafka = {"bus": "kafka", "kafka_bootstrap": kafka_bootstrap, "auto_migrate": True}
    built = (catalog.create_app(app_config(database_url=urls[0], **kafka)),
             enrolment.create_app(app_config(
                 database_url=urls[1], **kafka, stripe_api_key="sk_test_123",
                 stripe_api_base=stripe_mock_url, stripe_webhook_secret=SECRET,
                 public_url="https://enrolment.example")))
    yield built
    for app, name in zip(built, names, strict=True):
        app.extensions["score_db"].dispose()
        postgres.drop_database(name)


def relay_all(app, service: str) -> int:
    relay, sent = Relay(app.extensions["score_db"], app.extensions["score_bus"], service), 0
    try:
        while (batch := relay.relay_once()) > 0:
            sent += batch
    finally:
        relay.close()
    return sent


@contextmanager
def consuming(app, runtime) -> Iterator[ConsumerRunner]:
    """The service's consumer in a thread (its own group: it reads the topics from the start)."""
    runner = ConsumerRunner(app.extensions["score_db"], app.extensions["score_bus"],
                            f"{runtime.name}-flow-{uuid.uuid4().hex[:8]}", runtime.handlers,
                            max_attempts=3, backoff_ms=50)
    stop = threading.Event()
    worker = threading.Thread(target=runner.run, args=(stop,), daemon=True)
    worker.start()
    try:
        yield runner
    finally:
        stop.set()
        worker.join(timeout=30)


def test_pay_by_card_confirms_seats_in_catalog_and_a_cancelled_session_refunds(apps, auth):
    catalog_app, enrolment_app = apps
    catalog_client, client = catalog_app.test_client(), enrolment_app.test_client()
    db = enrolment_app.extensions["score_db"]
    build = Builder(catalog_app.extensions["score_db"])
    provider = build.provider()
    ts = build.session(build.course(provider), capacity=12)
    staff = auth("provider_staff", provider.id, "provider")
    sme = auth("sme_user", register_sme(db, enrolment_app.extensions["enrolment_policy"],
                                        subject="sari"), "sme", subject="sari")

    def seats_taken() -> int:
        return catalog_client.get(f"/sessions/{ts.id}").json["seats_taken"]

    with consuming(enrolment_app, enrolment.runtime()), \
            consuming(catalog_app, catalog.runtime()):
        relay_all(catalog_app, "catalog")
        eventually(lambda: client.get(f"/sessions/{ts.id}", headers=sme).status_code == 200,
                   "enrolment knows the session")

        enrolled = client.post(f"/sessions/{ts.id}/enrolments", json={"participants": team(3)},
                               headers=sme)
        assert enrolled.status_code == 201, enrolled.json
        enrolment_id = enrolled.json["id"]
        checkout = client.post(f"/enrolments/{enrolment_id}/checkout", headers=sme)
        assert checkout.status_code == 201, checkout.json
        payment = w.payment(db, checkout.json["payment"]["id"])
        assert payment.gateway == "stripe" and payment.checkout_id.startswith("cs_")

        paid = w.deliver(client, w.stripe_event("checkout.session.completed",
                                                w.checkout_session(payment)), secret=SECRET)
        assert paid.json["outcome"] == "confirmed"
        relay_all(enrolment_app, "enrolment")
        eventually(lambda: seats_taken() == 3, "catalog counts the confirmed seats")

        cancelled = catalog_client.post(f"/sessions/{ts.id}/cancel", headers=staff,
                                        json={"reason": "the trainer is ill"})
        assert cancelled.status_code == 200
        relay_all(catalog_app, "catalog")
        eventually(lambda: w.payment(db, payment.id).status == "refund_pending",
                   "enrolment asks Stripe for the refund")
        refunded = w.payment(db, payment.id)
        assert (refunded.refund_amount, refunded.refund_reason) == (payment.amount,
                                                                    "session_cancelled")
        assert refunded.refund_gateway_id.startswith("re_")
        assert w.enrolment(db, enrolment_id).status == "cancelled"
        assert w.counters(db, ts.id) == (0, 0)

        relay_all(enrolment_app, "enrolment")
        eventually(lambda: seats_taken() == 0, "catalog frees the seats")

    done = w.deliver(client, w.stripe_event("charge.refunded", w.charge(refunded,
                                                                        payment.amount)),
                     secret=SECRET)
    assert done.json["outcome"] == "refunded"
    assert w.payment(db, payment.id).status == "refunded"
