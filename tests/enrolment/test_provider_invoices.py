"""A provider's bank transfer invoices: the transfers its staff have still to confirm."""

from __future__ import annotations

import datetime as dt

import pytest

from shared import clock as shared_clock
from tests.enrolment import payments_world as w


@pytest.fixture
def world(db):
    w.seed_world(db)


@pytest.fixture
def provider(auth):
    return auth("provider_staff", w.PROVIDER, "provider")


def invoice(client, auth, sme_id, session_id="s1"):
    enrolment_id = w.hold(client.application.extensions["score_db"], sme_id,
                          session_id=session_id)
    response = client.post(f"/enrolments/{enrolment_id}/invoice",
                           headers=auth("sme_user", sme_id, "sme"))
    assert response.status_code == 201, response.json
    return response.json


def test_the_provider_lists_its_pending_invoices_with_what_each_bills(client, world, auth,
                                                                      provider):
    first, second = invoice(client, auth, "sme1"), invoice(client, auth, "sme2")
    client.post(f"/invoices/{first['id']}/confirm", headers=provider, json={
        "amount_received": first["amount"], "bank_reference": "BCA-1",
        "received_on": shared_clock.today().isoformat()})

    pending = client.get(f"/providers/{w.PROVIDER}/invoices?status=pending", headers=provider)
    every = client.get(f"/providers/{w.PROVIDER}/invoices", headers=provider)

    assert pending.status_code == 200, pending.json
    (only,) = pending.json["items"]
    assert only["id"] == second["id"] and only["status"] == "pending"
    assert only["sme"]["legal_name"] == "PT Maju 2"
    assert only["session"]["title_en"] == "Workplace cooperation"
    assert only["participants"] == 3 and only["amount"] == 3 * w.PRICE
    assert only["due_date"] == (shared_clock.today() + dt.timedelta(days=7)).isoformat()
    assert [i["id"] for i in every.json["items"]] == [second["id"], first["id"]]
    assert every.json["next_cursor"] is None


def test_invoices_are_paged_newest_first(client, world, auth, provider):
    ids = [invoice(client, auth, f"sme{n}")["id"] for n in (1, 2, 3)]

    first = client.get(f"/providers/{w.PROVIDER}/invoices?limit=2", headers=provider).json
    rest = client.get(f"/providers/{w.PROVIDER}/invoices?limit=2&cursor={first['next_cursor']}",
                      headers=provider).json

    assert [i["id"] for i in first["items"] + rest["items"]] == ids[::-1]
    assert rest["next_cursor"] is None


def test_another_providers_invoices_stay_out_of_sight(client, db, world, auth, provider):
    w.seed_world(db, session_id="s2", provider_id="other-provider")
    invoice(client, auth, "sme1")
    invoice(client, auth, "sme2", session_id="s2")

    own = client.get(f"/providers/{w.PROVIDER}/invoices", headers=provider).json["items"]
    foreign = client.get("/providers/other-provider/invoices", headers=provider)
    admin = client.get("/providers/other-provider/invoices",
                       headers=auth("platform_admin", None, None))
    sme = client.get(f"/providers/{w.PROVIDER}/invoices", headers=auth("sme_user", "sme1", "sme"))

    assert [i["sme"]["id"] for i in own] == ["sme1"]
    assert foreign.status_code == 404
    assert [i["sme"]["id"] for i in admin.json["items"]] == ["sme2"]
    assert sme.status_code == 403


def test_a_bad_filter_is_a_400(client, world, provider):
    response = client.get(f"/providers/{w.PROVIDER}/invoices?status=lost", headers=provider)
    assert response.status_code == 400
