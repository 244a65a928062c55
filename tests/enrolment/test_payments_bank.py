"""Bank transfer: invoices numbered without gaps, due dates, the provider's confirmation."""

from __future__ import annotations

import datetime as dt

import pytest

from services.enrolment import rules
from services.enrolment.service import bank
from shared import clock as shared_clock
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


@pytest.fixture
def provider(auth):
    return auth("provider_staff", w.PROVIDER, "provider")


def invoice(client, enrolment_id, headers):
    response = client.post(f"/enrolments/{enrolment_id}/invoice", headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def test_an_invoice_carries_a_gapless_number_a_reference_and_a_due_date(client, db, world,
                                                                         sme1):
    enrolment_id = w.hold(db, size=4)
    year = shared_clock.today().year

    body = invoice(client, enrolment_id, sme1)

    assert body["invoice_number"] == f"INV/7C0FFEE0/{year}/000001"
    assert rules.reference_is_valid(body["payment_reference"])
    assert body["payment_reference"].startswith(f"7C0FFEE0{year % 100:02d}000001")
    assert (body["method"], body["gateway"], body["status"]) == ("bank_transfer", "bank",
                                                                 "pending")
    assert body["amount"] == 4 * w.PRICE
    assert body["due_date"] == (shared_clock.today() + dt.timedelta(days=7)).isoformat()
    after = w.enrolment(db, enrolment_id)
    assert after.status == "awaiting_payment" and after.payment_method == "bank_transfer"
    assert w.mails(db)[-1] == "invoice"


def test_the_hold_lasts_to_the_end_of_the_due_date_in_jakarta(client, db, world, sme1):
    enrolment_id = w.hold(db)
    due = dt.date.fromisoformat(invoice(client, enrolment_id, sme1)["due_date"])
    expires_at = w.enrolment(db, enrolment_id).expires_at
    assert expires_at == dt.datetime.combine(due, dt.time(17), dt.UTC)  # 24:00 WIB


def test_invoices_are_numbered_per_provider_and_year(client, db, world, sme1, auth, clock):
    w.seed_world(db, session_id="s2", provider_id="other-provider")
    numbers = [invoice(client, w.hold(db, sme), auth("sme_user", sme, "sme"))["invoice_number"]
               for sme in ("sme1", "sme2")]
    other = invoice(client, w.hold(db, "sme3", session_id="s2"),
                    auth("sme_user", "sme3", "sme"))["invoice_number"]
    year = shared_clock.today().year
    assert numbers == [f"INV/7C0FFEE0/{year}/000001", f"INV/7C0FFEE0/{year}/000002"]
    assert other == f"INV/OTHERPRO/{year}/000001"
    clock.move_to(dt.date(year + 1, 1, 2))
    with db.transaction() as session:
        assert bank.next_invoice_number(session, w.PROVIDER, year + 1) == 1


def test_a_rolled_back_invoice_leaves_no_gap(db, world):
    with pytest.raises(RuntimeError), db.transaction() as session:
        assert bank.next_invoice_number(session, w.PROVIDER, 2026) == 1
        raise RuntimeError("the invoice's transaction fails")
    with db.transaction() as session:
        assert bank.next_invoice_number(session, w.PROVIDER, 2026) == 1
    with db.transaction() as session:
        assert bank.next_invoice_number(session, w.PROVIDER, 2026) == 2


def test_asking_again_returns_the_open_invoice(client, db, world, sme1):
    enrolment_id = w.hold(db)
    first = invoice(client, enrolment_id, sme1)
    again = client.post(f"/enrolments/{enrolment_id}/invoice", headers=sme1)
    assert again.status_code == 200 and again.json["id"] == first["id"]


def test_the_due_date_never_passes_the_enrolment_deadline(client, db, sme1):
    w.seed_world(db, deadline_in_days=3)
    enrolment_id = w.hold(db)
    body = invoice(client, enrolment_id, sme1)
    assert body["due_date"] == (shared_clock.today() + dt.timedelta(days=3)).isoformat()


def test_after_the_deadline_no_invoice_is_issued(client, db, sme1, clock):
    w.seed_world(db, deadline_in_days=0)
    enrolment_id = w.hold(db)
    clock.advance(minutes=10)
    clock.move_to(shared_clock.today() + dt.timedelta(days=1))
    with db.transaction() as session:  # keep the hold alive past midnight for the test
        from services.enrolment.models import Enrolment

        session.get(Enrolment, enrolment_id).expires_at = clock.now() + dt.timedelta(hours=1)
    response = client.post(f"/enrolments/{enrolment_id}/invoice", headers=sme1)
    assert response.status_code == 409
    assert w.enrolment(db, enrolment_id).status == "held"


def test_an_open_card_checkout_is_closed_when_the_sme_switches_to_transfer(client, db, world,
                                                                          sme1):
    enrolment_id = w.hold(db)
    card = client.post(f"/enrolments/{enrolment_id}/checkout", headers=sme1).json["payment"]

    body = invoice(client, enrolment_id, sme1)

    closed = w.payment(db, card["id"])
    assert (closed.status, closed.failure_reason) == ("failed", "replaced_by_bank_transfer")
    assert w.payment(db, body["id"]).status == "pending"
    assert w.enrolment(db, enrolment_id).status == "awaiting_payment"


def test_the_provider_confirms_a_transfer_and_the_enrolment_is_confirmed(client, db, world,
                                                                         sme1, provider):
    enrolment_id = w.hold(db, size=2)
    body = invoice(client, enrolment_id, sme1)

    response = client.post(f"/invoices/{body['id']}/confirm", headers=provider, json={
        "amount_received": 2 * w.PRICE, "received_on": shared_clock.today().isoformat(),
        "bank_reference": "BCA 123456"})

    assert response.status_code == 200
    assert response.json["status"] == "paid" and response.json["bank_reference"] == "BCA 123456"
    assert w.enrolment(db, enrolment_id).status == "confirmed"
    assert w.counters(db) == (0, 2)
    assert w.event_types(db)[-2:] == ["payment.succeeded", "enrolment.confirmed"]
    assert w.mails(db)[-1] == "payment_received"


def test_less_than_due_is_refused_and_changes_nothing(client, db, world, sme1, provider):
    enrolment_id = w.hold(db, size=2)
    body = invoice(client, enrolment_id, sme1)

    response = client.post(f"/invoices/{body['id']}/confirm", headers=provider, json={
        "amount_received": 2 * w.PRICE - 1, "received_on": shared_clock.today().isoformat(),
        "bank_reference": "BCA 1"})

    assert response.status_code == 422
    assert "amount_received" in response.json["errors"]
    assert w.payment(db, body["id"]).status == "pending"
    assert w.enrolment(db, enrolment_id).status == "awaiting_payment"


def test_a_receipt_dated_in_the_future_is_refused(client, db, world, sme1, provider):
    body = invoice(client, w.hold(db), sme1)
    response = client.post(f"/invoices/{body['id']}/confirm", headers=provider, json={
        "amount_received": body["amount"], "bank_reference": "BCA 1",
        "received_on": (shared_clock.today() + dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 422 and "received_on" in response.json["errors"]


def test_another_providers_staff_cannot_see_or_confirm_the_invoice(client, db, world, sme1,
                                                                   auth):
    body = invoice(client, w.hold(db), sme1)
    stranger = auth("provider_staff", "other-provider", "provider")
    response = client.post(f"/invoices/{body['id']}/confirm", headers=stranger, json={
        "amount_received": body["amount"], "received_on": shared_clock.today().isoformat(),
        "bank_reference": "BCA 1"})
    assert response.status_code == 404
    assert client.get(f"/invoices/{body['id']}", headers=stranger).status_code == 404
    assert w.payment(db, body["id"]).status == "pending"


def test_a_lapsed_invoice_cannot_be_confirmed(client, db, world, sme1, provider):
    enrolment_id = w.hold(db)
    body = invoice(client, enrolment_id, sme1)
    with db.transaction() as session:  # the reaper expired the enrolment when it was overdue
        from services.enrolment.models import Enrolment
        from services.enrolment.service import holds

        enrolment = session.get(Enrolment, enrolment_id)
        assert bank.lapse_invoices(session, enrolment, actor="reaper") == 1
        holds.release(session, enrolment, "expire", actor="reaper", reason="invoice_overdue",
                      policy=w.POLICY)
    assert w.payment(db, body["id"]).status == "failed"

    response = client.post(f"/invoices/{body['id']}/confirm", headers=provider, json={
        "amount_received": body["amount"], "received_on": shared_clock.today().isoformat(),
        "bank_reference": "BCA 1"})

    assert response.status_code == 409


def test_the_invoice_reads_as_json_and_prints_as_html(client, db, world, sme1, provider):
    body = invoice(client, w.hold(db, size=2), sme1)

    read = client.get(f"/invoices/{body['id']}", headers=provider)
    printed = client.get(f"/invoices/{body['id']}/print", headers=sme1)

    assert read.status_code == 200
    assert read.json["sme"]["legal_name"] == "PT Maju 1"
    assert read.json["session"]["title_en"] == "Workplace cooperation"
    assert read.json["amount_text_id"] == "Rp3.000.000"
    assert printed.status_code == 200 and printed.mimetype == "text/html"
    page = printed.get_data(as_text=True)
    for text in (body["invoice_number"], body["payment_reference"], "Rp3.000.000",
                 "IDR3,000,000", 'lang="id"', "Jatuh tempo", "Due date"):
        assert text in page
