"""Card checkout: the SME opens a checkout for its held enrolment (sandbox gateway here)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.enrolment import payments_world as w


@pytest.fixture
def db(app):
    return app.extensions["score_db"]


@pytest.fixture
def world(db):
    w.seed_world(db)


@pytest.fixture
def sme1(auth):
    return auth("sme_user", "sme1", "sme")


def test_a_checkout_opens_for_the_held_enrolment_and_awaits_payment(client, db, world, sme1):
    enrolment_id = w.hold(db, size=3)
    expires_at = w.enrolment(db, enrolment_id).expires_at

    response = client.post(f"/enrolments/{enrolment_id}/checkout", headers=sme1)

    assert response.status_code == 201
    payment = response.json["payment"]
    assert response.json["checkout_url"] == (
        f"http://127.0.0.1:5002/sandbox/checkout/{payment['id']}")
    assert payment | {"id": None, "created_at": None} == payment | {
        "id": None, "created_at": None, "status": "pending", "method": "card",
        "gateway": "sandbox", "amount": 3 * w.PRICE, "currency": "IDR"}
    after = w.enrolment(db, enrolment_id)
    assert after.status == "awaiting_payment" and after.payment_method == "card"
    assert after.expires_at == expires_at  # 45 minutes are enough for a checkout


def test_opening_the_checkout_again_returns_the_open_one(client, db, world, sme1):
    enrolment_id = w.hold(db)
    first = client.post(f"/enrolments/{enrolment_id}/checkout", headers=sme1)
    again = client.post(f"/enrolments/{enrolment_id}/checkout", headers=sme1)
    assert again.status_code == 200
    assert again.json["payment"]["id"] == first.json["payment"]["id"]


def test_another_smes_enrolment_looks_absent(client, db, world, auth):
    enrolment_id = w.hold(db, "sme1")
    response = client.post(f"/enrolments/{enrolment_id}/checkout",
                           headers=auth("sme_user", "sme2", "sme"))
    assert response.status_code == 404
    assert w.enrolment(db, enrolment_id).status == "held"


def test_only_sme_users_open_checkouts(client, db, world, auth):
    enrolment_id = w.hold(db)
    response = client.post(f"/enrolments/{enrolment_id}/checkout",
                           headers=auth("provider_staff", w.PROVIDER, "provider"))
    assert response.status_code == 403


def test_a_hold_with_little_time_left_is_extended_to_a_stripe_checkouts_minimum_once(
        client, db, world, sme1, clock):
    enrolment_id = w.hold(db)
    clock.advance(minutes=30)  # 15 of 45 minutes left: Stripe wants at least 30

    response = client.post(f"/enrolments/{enrolment_id}/checkout", headers=sme1)

    assert response.status_code == 201
    assert w.enrolment(db, enrolment_id).expires_at == clock.now() + dt.timedelta(minutes=31)


def test_an_extended_hold_running_out_again_is_refused_a_checkout(client, db, world, sme1,
                                                                   clock, app):
    from services.enrolment.service import settlement

    enrolment_id = w.hold(db)
    clock.advance(minutes=30)
    first = client.post(f"/enrolments/{enrolment_id}/checkout", headers=sme1).json["payment"]
    with db.transaction() as session:  # the card was declined: back to held
        from services.enrolment.models import Enrolment, Payment

        enrolment = session.get(Enrolment, enrolment_id)
        settlement.mark_failed(session, session.get(Payment, first["id"]), enrolment,
                               actor="stripe", reason="payment_failed")
        enrolment.transition("payment_failed", actor="stripe", now=clock.now())
    clock.advance(minutes=20)

    response = client.post(f"/enrolments/{enrolment_id}/checkout", headers=sme1)

    assert response.status_code == 409
    assert w.enrolment(db, enrolment_id).status == "held"


def test_a_lapsed_hold_is_refused_a_checkout(client, db, world, sme1, clock):
    enrolment_id = w.hold(db)
    clock.advance(minutes=46)
    response = client.post(f"/enrolments/{enrolment_id}/checkout", headers=sme1)
    assert response.status_code == 409
    assert w.enrolment(db, enrolment_id).status == "held"


def test_a_checkout_is_refused_while_a_bank_invoice_is_open(client, db, world, sme1):
    enrolment_id = w.hold(db)
    assert client.post(f"/enrolments/{enrolment_id}/invoice", headers=sme1).status_code == 201
    response = client.post(f"/enrolments/{enrolment_id}/checkout", headers=sme1)
    assert response.status_code == 409
    assert response.json["errors"] == {"payment_method": ["an invoice is open"]}


def test_a_confirmed_enrolment_has_nothing_to_check_out(client, db, world, sme1):
    from services.enrolment.models import Enrolment
    from services.enrolment.service import holds

    enrolment_id = w.hold(db)
    with db.transaction() as session:
        holds.confirm(session, session.get(Enrolment, enrolment_id), "confirm", actor="u")
    response = client.post(f"/enrolments/{enrolment_id}/checkout", headers=sme1)
    assert response.status_code == 409


def test_the_sme_and_the_provider_read_the_payments_of_an_enrolment(client, db, world, sme1,
                                                                     auth):
    enrolment_id = w.hold(db)
    payment_id = client.post(f"/enrolments/{enrolment_id}/checkout",
                             headers=sme1).json["payment"]["id"]
    provider = auth("provider_staff", w.PROVIDER, "provider")
    for headers in (sme1, provider, auth("ilo_auditor")):
        listed = client.get(f"/enrolments/{enrolment_id}/payments", headers=headers)
        assert [p["id"] for p in listed.json] == [payment_id]
        assert client.get(f"/payments/{payment_id}", headers=headers).status_code == 200
    stranger = auth("provider_staff", "another-provider", "provider")
    assert client.get(f"/payments/{payment_id}", headers=stranger).status_code == 404
    assert client.get(f"/enrolments/{enrolment_id}/payments",
                      headers=auth("sme_user", "sme2", "sme")).status_code == 404
