"""Stripe's webhook on real PostgreSQL: one event delivered many times at once is applied once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from services import enrolment
from tests.enrolment import payments_world as w

pytestmark = pytest.mark.integration

DELIVERIES = 8


@pytest.fixture
def pg_app(pg_database, app_config):
    app = enrolment.create_app(app_config(database_url=pg_database, auto_migrate=True))
    yield app
    app.extensions["score_db"].dispose()


def test_concurrent_deliveries_of_one_event_confirm_once(pg_app, auth):
    db = pg_app.extensions["score_db"]
    w.seed_world(db)
    enrolment_id = w.hold(db, size=3)
    response = pg_app.test_client().post(f"/enrolments/{enrolment_id}/checkout",
                                         headers=auth("sme_user", "sme1", "sme"))
    payment = w.payment(db, response.json["payment"]["id"])
    event = w.stripe_event("checkout.session.completed", w.checkout_session(payment))
    barrier = threading.Barrier(DELIVERIES)

    def deliver(_: int) -> tuple[int, str]:
        client = pg_app.test_client()
        barrier.wait()
        answer = w.deliver(client, event)
        return answer.status_code, answer.json["outcome"]

    with ThreadPoolExecutor(DELIVERIES) as pool:
        answers = list(pool.map(deliver, range(DELIVERIES)))

    assert sorted(answers) == [(200, "confirmed")] + [(200, "duplicate")] * (DELIVERIES - 1)
    assert w.counters(db) == (0, 3)
    assert w.event_types(db).count("payment.succeeded") == 1
    assert w.event_types(db).count("enrolment.confirmed") == 1
    assert w.stored_events(db) == 1
