"""Sponsored enrolments: the SME pays its share, sponsors reserve the rest, or nothing to pay.

Sponsorship is the in-process fake of :mod:`tests.enrolment.sponsors` (the real
client is tested against a real HTTP server in ``test_sponsorship_client.py``),
except where the app is configured with a sponsorship URL nobody answers on.
"""

from __future__ import annotations

import datetime as dt

import pytest

from services import enrolment
from services.enrolment.models import OfferedSession
from services.enrolment.payments.gateway import GatewayError
from services.enrolment.service.bank import end_of_day
from shared import clock
from tests.enrolment import payments_world as w
from tests.enrolment.delivery import published_events
from tests.enrolment.sponsors import FakeSponsors
from tests.infra.ports import free_ports
from tests.support.apps import migrated_sqlite

SIZE = 4
PRICE = SIZE * w.PRICE  # 6 000 000
SPONSORED, SME = PRICE * 60 // 100, PRICE * 40 // 100


@pytest.fixture
def world(db):
    w.seed_world(db)


@pytest.fixture
def sponsors(app):
    """Sponsors paying 60 % (the app's sponsorship asks them: its counter included)."""
    fake = FakeSponsors(percent=60)
    app.extensions["enrolment_sponsorship"].client = fake
    return fake


@pytest.fixture
def sme1(auth):
    return auth("sme_user", "sme1", "sme")


@pytest.fixture
def provider(auth):
    return auth("provider_staff", w.PROVIDER, "provider")


@pytest.fixture
def checkouts(app, monkeypatch):
    """What the card gateway was asked to charge (CheckoutRequests, in order)."""
    gateway = app.extensions["enrolment_payments"].checkout_gateway
    asked = []
    real = gateway.create_checkout

    def recording(request, idempotency_key):
        asked.append(request)
        return real(request, idempotency_key)

    monkeypatch.setattr(gateway, "create_checkout", recording)
    return asked


def pay_by(client, way: str, enrolment_id: str, headers):
    return client.post(f"/enrolments/{enrolment_id}/{way}", headers=headers)


def test_a_card_checkout_charges_the_smes_share(client, db, world, sponsors, sme1, checkouts):
    enrolment_id = w.hold(db, size=SIZE)

    response = pay_by(client, "checkout", enrolment_id, sme1)

    assert response.status_code == 201
    assert response.json["payment"]["amount"] == SME
    (charged,) = checkouts
    assert (charged.amount, charged.unit_amount, charged.quantity) == (SME, SME, 1)
    assert "SME share" in charged.description
    after = w.enrolment(db, enrolment_id)
    assert (after.amount_due, after.sponsor_share, after.sme_share) == (PRICE, SPONSORED, SME)
    assert after.reservation_id == sponsors.reservations[enrolment_id]
    ((asked, token),) = sponsors.calls
    assert token == sme1["Authorization"]  # the SME user's own token, forwarded
    assert (asked.enrolment_id, asked.hold_id, asked.sme_id, asked.session_id) == (
        enrolment_id, enrolment_id, "sme1", "s1")
    assert (asked.participants, asked.managers, asked.workers) == (4, 1, 3)
    assert asked.expires_at == after.expires_at == charged.expires_at


def test_the_enrolment_shows_who_pays_what(client, db, world, sponsors, sme1):
    enrolment_id = w.hold(db, size=SIZE)
    pay_by(client, "checkout", enrolment_id, sme1)

    body = client.get(f"/enrolments/{enrolment_id}", headers=sme1).json

    assert (body["amount_due"], body["sponsor_share"], body["sme_share"]) == (PRICE, SPONSORED,
                                                                              SME)
    assert body["reservation_id"] == sponsors.reservations[enrolment_id]


def test_an_invoice_bills_the_smes_share_and_confirming_it_tells_sponsorship(
        client, db, world, sponsors, sme1, provider):
    enrolment_id = w.hold(db, size=SIZE)

    response = pay_by(client, "invoice", enrolment_id, sme1)

    assert response.status_code == 201 and response.json["amount"] == SME
    due = dt.date.fromisoformat(response.json["due_date"])
    ((asked, _),) = sponsors.calls
    assert asked.expires_at == end_of_day(due) == w.enrolment(db, enrolment_id).expires_at
    receipt = {"amount_received": SME, "received_on": clock.today().isoformat(),
               "bank_reference": "BCA 1"}
    confirmed = client.post(f"/invoices/{response.json['id']}/confirm", json=receipt,
                            headers=provider)
    assert confirmed.status_code == 200, confirmed.json
    (event,) = published_events(db, "enrolment.confirmed")
    assert (event["amount_due"], event["sponsor_share"], event["sme_share"]) == (
        PRICE, SPONSORED, SME)
    assert (event["reservation_id"], event["hold_id"]) == (
        sponsors.reservations[enrolment_id], enrolment_id)
    (held,) = published_events(db, "enrolment.held")
    assert (held["reservation_id"], held["sponsor_share"]) == (None, 0)  # not quoted yet


@pytest.mark.parametrize("reason", ["timeout", "unreachable", "server_error", "refused",
                                    "malformed"])
def test_without_a_quote_the_sme_pays_the_full_price_and_can_confirm(
        client, db, world, sponsors, sme1, provider, reason):
    sponsors.failure = reason
    enrolment_id = w.hold(db, size=SIZE)

    response = pay_by(client, "invoice", enrolment_id, sme1)

    assert response.status_code == 201 and response.json["amount"] == PRICE
    receipt = {"amount_received": PRICE, "received_on": clock.today().isoformat(),
               "bank_reference": "BCA 1"}
    assert client.post(f"/invoices/{response.json['id']}/confirm", json=receipt,
                       headers=provider).status_code == 200
    assert w.enrolment(db, enrolment_id).status == "confirmed"
    (event,) = published_events(db, "enrolment.confirmed")
    # sponsor_share 0 tells sponsorship to release whatever it reserved meanwhile.
    assert (event["sponsor_share"], event["sme_share"], event["reservation_id"]) == (
        0, PRICE, None)
    metrics = client.get("/metrics").get_data(as_text=True)
    assert f'score_enrolment_sponsorship_quotes_total{{outcome="{reason}"}} 1.0' in metrics


@pytest.mark.parametrize("way", ["checkout", "invoice"])
def test_fully_sponsored_is_confirmed_at_once_with_nothing_to_pay(client, db, world, sponsors,
                                                                  sme1, way):
    sponsors.percent = 100
    enrolment_id = w.hold(db, size=SIZE)

    response = pay_by(client, way, enrolment_id, sme1)

    assert response.status_code == 204 and response.get_data() == b""
    assert response.headers["Location"].endswith(f"/enrolments/{enrolment_id}")
    after = w.enrolment(db, enrolment_id)
    assert (after.status, after.sponsor_share, after.sme_share, after.expires_at) == (
        "confirmed", PRICE, 0, None)
    assert w.counters(db) == (0, SIZE)  # the seats are kept
    assert client.get(f"/enrolments/{enrolment_id}/payments", headers=sme1).json == []
    (event,) = published_events(db, "enrolment.confirmed")
    assert (event["sponsor_share"], event["sme_share"], event["reservation_id"]) == (
        PRICE, 0, sponsors.reservations[enrolment_id])
    assert event["reason"] == "fully_sponsored"


def test_asking_to_pay_a_fully_sponsored_enrolment_again_asks_nobody(client, db, world,
                                                                     sponsors, sme1):
    sponsors.percent = 100
    enrolment_id = w.hold(db, size=SIZE)
    pay_by(client, "checkout", enrolment_id, sme1)

    again = [pay_by(client, way, enrolment_id, sme1) for way in ("checkout", "invoice")]

    assert [r.status_code for r in again] == [204, 204]
    assert len(sponsors.calls) == 1
    assert len(published_events(db, "enrolment.confirmed")) == 1


def test_an_invoice_replacing_a_card_checkout_requotes_the_same_hold(client, db, world,
                                                                     sponsors, sme1):
    enrolment_id = w.hold(db, size=SIZE)
    card = pay_by(client, "checkout", enrolment_id, sme1).json["payment"]

    invoice = pay_by(client, "invoice", enrolment_id, sme1)

    assert invoice.status_code == 201 and invoice.json["amount"] == SME
    assert sponsors.holds == [enrolment_id, enrolment_id]
    (first, _), (second, _) = sponsors.calls
    assert second.expires_at > first.expires_at  # the reservation is extended to the due date
    assert len(sponsors.reservations) == 1
    after = w.enrolment(db, enrolment_id)
    assert after.reservation_id == sponsors.reservations[enrolment_id]
    assert (after.sponsor_share, after.sme_share) == (SPONSORED, SME)
    assert w.payment(db, card["id"]).status == "failed"


def test_a_failed_requote_drops_the_earlier_share(client, db, world, sponsors, sme1):
    # The earlier reservation was not extended to the invoice's due date: relying on
    # it could leave the provider unpaid, so the SME is billed everything.
    enrolment_id = w.hold(db, size=SIZE)
    pay_by(client, "checkout", enrolment_id, sme1)
    sponsors.failure = "timeout"

    invoice = pay_by(client, "invoice", enrolment_id, sme1)

    assert invoice.json["amount"] == PRICE
    after = w.enrolment(db, enrolment_id)
    assert (after.sponsor_share, after.sme_share, after.reservation_id) == (0, PRICE, None)


def test_a_requote_covering_everything_confirms_an_enrolment_awaiting_payment(
        client, db, world, sponsors, sme1):
    sponsors.failure = "timeout"
    enrolment_id = w.hold(db, size=SIZE)
    card = pay_by(client, "checkout", enrolment_id, sme1).json["payment"]
    assert w.enrolment(db, enrolment_id).status == "awaiting_payment"
    sponsors.failure, sponsors.percent = None, 100

    response = pay_by(client, "invoice", enrolment_id, sme1)

    assert response.status_code == 204
    assert w.enrolment(db, enrolment_id).status == "confirmed"
    assert w.payment(db, card["id"]).status == "failed"  # the checkout can no longer be paid
    assert w.counters(db) == (0, SIZE)


def test_a_checkout_retried_after_the_gateway_failed_gets_the_same_reservation(
        client, db, world, sponsors, sme1, app, monkeypatch):
    gateway = app.extensions["enrolment_payments"].checkout_gateway
    real = gateway.create_checkout
    failures = [GatewayError("Stripe is down")]

    def flaky(request, idempotency_key):
        if failures:
            raise failures.pop()
        return real(request, idempotency_key)

    monkeypatch.setattr(gateway, "create_checkout", flaky)
    enrolment_id = w.hold(db, size=SIZE)

    assert pay_by(client, "checkout", enrolment_id, sme1).status_code == 502
    assert w.enrolment(db, enrolment_id).reservation_id is None  # rolled back
    retried = pay_by(client, "checkout", enrolment_id, sme1)

    assert retried.status_code == 201 and retried.json["payment"]["amount"] == SME
    assert sponsors.holds == [enrolment_id, enrolment_id]  # one hold: one reservation
    assert len(sponsors.reservations) == 1
    assert w.enrolment(db, enrolment_id).reservation_id == sponsors.reservations[enrolment_id]


def test_an_open_checkout_asked_for_again_is_not_requoted(client, db, world, sponsors, sme1):
    enrolment_id = w.hold(db, size=SIZE)
    first = pay_by(client, "checkout", enrolment_id, sme1)
    again = pay_by(client, "checkout", enrolment_id, sme1)
    assert again.status_code == 200
    assert again.json["payment"]["id"] == first.json["payment"]["id"]
    assert len(sponsors.calls) == 1


@pytest.mark.parametrize("way", ["checkout", "invoice"])
def test_another_smes_enrolment_looks_absent_and_is_never_quoted(client, db, world, sponsors,
                                                                 auth, way):
    enrolment_id = w.hold(db, "sme1", size=SIZE)
    response = pay_by(client, way, enrolment_id, auth("sme_user", "sme2", "sme"))
    assert response.status_code == 404
    assert sponsors.calls == []
    after = w.enrolment(db, enrolment_id)
    assert (after.status, after.sponsor_share, after.reservation_id) == ("held", 0, None)


@pytest.mark.parametrize("way", ["checkout", "invoice"])
def test_a_free_session_is_confirmed_with_nothing_to_pay_and_nothing_to_sponsor(
        client, db, world, sponsors, sme1, way):
    with db.transaction() as session:
        session.get(OfferedSession, "s1").price_per_participant = 0
    enrolment_id = w.hold(db, size=SIZE)

    response = pay_by(client, way, enrolment_id, sme1)
    again = pay_by(client, way, enrolment_id, sme1)

    assert (response.status_code, again.status_code) == (204, 204)
    assert sponsors.calls == []
    confirmed = w.enrolment(db, enrolment_id)
    assert (confirmed.status, confirmed.status_reason) == ("confirmed", "free_session")
    (event,) = published_events(db, "enrolment.confirmed")
    assert (event["amount_due"], event["sponsor_share"]) == (0, 0)


def test_a_sponsorship_nobody_answers_is_the_full_price(tmp_path, app_config, auth):
    # The real client: the configured sponsorship refuses connections.
    (closed,) = free_ports(1)
    url = migrated_sqlite(enrolment.runtime(), tmp_path)
    app = enrolment.create_app(app_config(database_url=url,
                                          sponsorship_url=f"http://127.0.0.1:{closed}"))
    try:
        db = app.extensions["score_db"]
        w.seed_world(db)
        enrolment_id = w.hold(db, size=SIZE)
        client = app.test_client()

        response = pay_by(client, "checkout", enrolment_id, auth("sme_user", "sme1", "sme"))

        assert response.status_code == 201 and response.json["payment"]["amount"] == PRICE
        metrics = client.get("/metrics").get_data(as_text=True)
        assert 'score_enrolment_sponsorship_quotes_total{outcome="unreachable"} 1.0' in metrics
    finally:
        app.extensions["score_db"].dispose()


def test_the_printed_invoice_shows_what_sponsors_pay(client, db, world, sponsors, sme1):
    body = pay_by(client, "invoice", w.hold(db, size=SIZE), sme1).json
    page = client.get(f"/invoices/{body['id']}/print", headers=sme1).get_data(as_text=True)
    assert "Paid by sponsors" in page and "Rp3.600.000" in page  # 60 % of 4 × 1 500 000
    assert "Rp2.400.000" in page  # what the SME transfers


def test_a_full_price_invoice_names_no_sponsors(client, db, world, sponsors, sme1):
    sponsors.percent = 0
    body = pay_by(client, "invoice", w.hold(db, size=SIZE), sme1).json
    page = client.get(f"/invoices/{body['id']}/print", headers=sme1).get_data(as_text=True)
    assert "Paid by sponsors" not in page and "Rp6.000.000" in page


def test_a_fully_sponsored_enrolment_cancelled_tells_sponsorship_and_refunds_nothing(
        client, db, world, sponsors, sme1):
    sponsors.percent = 100
    enrolment_id = w.hold(db, size=SIZE)
    pay_by(client, "checkout", enrolment_id, sme1)

    response = client.post(f"/enrolments/{enrolment_id}/cancel", json={"reason": "sakit"},
                           headers=sme1)

    assert response.status_code == 200, response.json
    assert w.counters(db) == (0, 0)
    (event,) = published_events(db, "enrolment.cancelled")
    # After confirmation: sponsorship reverses the committed reservation (the saga).
    assert (event["sponsor_share"], event["reservation_id"]) == (
        PRICE, sponsors.reservations[enrolment_id])
    assert published_events(db, "payment.refunded") == []
