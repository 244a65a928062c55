"""SMEs register and edit their profile; who may read it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shared.events.tables import outbox

SME = {"legal_name": "PT Tekstil Maju", "nib": "1234567890123", "npwp": "01.234.567.8-901.234",
       "kbli_code": "13111", "kbli_version": "2020", "province_code": "ID-JB",
       "city": "Bandung", "address": "Jl. Soekarno-Hatta 1", "employees_women": 25,
       "employees_men": 20, "contact_name": "Ibu Sari", "contact_email": "sari@tekstil.example",
       "contact_phone": "+62 812 0000 0001"}


@pytest.fixture
def registrant(auth):
    return auth("sme_user", subject="user-sari")


def test_an_sme_user_registers_an_sme_with_derived_workforce_and_size(client, registrant, app):
    response = client.post("/smes", json=SME, headers=registrant)
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["province_code"], body["employees_total"], body["size_class"]) == (
        "32", 45, "medium")
    assert body["npwp"] == "0012345678901234" and body["registered_by"] == "user-sari"
    assert response.headers["Location"].endswith(f"/smes/{body['id']}")
    with app.extensions["score_db"].reading() as session:
        assert session.scalar(select(outbox.c.type)) == "score.enrolment.sme.registered.v1"


def test_an_account_registers_one_sme(client, registrant):
    assert client.post("/smes", json=SME, headers=registrant).status_code == 201
    again = client.post("/smes", json={**SME, "nib": "9999999999999"}, headers=registrant)
    assert again.status_code == 409


def test_a_nib_is_registered_once(client, auth):
    client.post("/smes", json=SME, headers=auth("sme_user", subject="a"))
    response = client.post("/smes", json=SME, headers=auth("sme_user", subject="b"))
    assert response.status_code == 409 and "nib" in response.json["errors"]


@pytest.mark.parametrize(("change", "field"), [
    ({"nib": "12345"}, "nib"), ({"province_code": "99"}, "province_code"),
    ({"kbli_code": "1311"}, "kbli_code"), ({"kbli_version": "2009"}, "kbli_version"),
    ({"employees_women": 0, "employees_men": 0}, "employees_total"),
    ({"npwp": "123"}, "npwp"), ({"contact_email": "not-mail"}, "contact_email"),
])
def test_an_invalid_registration_names_the_field_and_writes_nothing(client, registrant, app,
                                                                    change, field):
    response = client.post("/smes", json={**SME, **change}, headers=registrant)
    assert response.status_code == 422 and field in response.json["errors"]
    with app.extensions["score_db"].reading() as session:
        assert session.scalar(select(outbox.c.type)) is None


@pytest.mark.parametrize("role", ["provider_staff", "sponsor_staff", "trainer"])
def test_only_sme_users_register_smes(client, auth, role):
    assert client.post("/smes", json=SME, headers=auth(role)).status_code == 403


def test_a_user_already_acting_for_an_sme_registers_no_other(client, auth):
    response = client.post("/smes", json=SME, headers=auth("sme_user", "sme-1", "sme"))
    assert response.status_code == 403


def test_editing_the_workforce_moves_the_size_class(client, registrant, auth):
    sme = client.post("/smes", json=SME, headers=registrant).json
    own = auth("sme_user", sme["id"], "sme", subject="user-sari")
    response = client.patch(f"/smes/{sme['id']}", json={"employees_women": 2,
                                                         "employees_men": 1}, headers=own)
    assert response.status_code == 200
    assert (response.json["employees_total"], response.json["size_class"]) == (3, "micro")


def test_only_the_sme_own_users_edit_it(client, registrant, auth):
    sme = client.post("/smes", json=SME, headers=registrant).json
    other = auth("sme_user", "someone-else", "sme")
    assert client.patch(f"/smes/{sme['id']}", json={"city": "Cimahi"},
                        headers=other).status_code == 404


@pytest.mark.parametrize(("role", "org", "status"), [
    ("sme_user", "OWN", 200), ("sme_user", "other", 404), ("ilo_auditor", None, 200),
    ("platform_admin", None, 200), ("provider_staff", "p-1", 404),
])
def test_who_reads_an_sme(client, registrant, auth, role, org, status):
    sme = client.post("/smes", json=SME, headers=registrant).json
    org = sme["id"] if org == "OWN" else org
    assert client.get(f"/smes/{sme['id']}", headers=auth(role, org)).status_code == status
