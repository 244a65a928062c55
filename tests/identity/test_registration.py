"""Self-registration: POST /users."""

import pytest

from services.identity.models import User
from shared.events.tables import outbox
from tests.identity.conftest import PASSWORD

VALID = {"email": "Budi@Example.ID", "name": "Budi", "password": PASSWORD,
         "intended_role": "provider_staff"}


def test_a_person_registers_and_gets_their_account_without_the_password(client):
    response = client.post("/users", json=VALID)

    assert response.status_code == 201
    body = response.json
    assert body["email"] == "budi@example.id"
    assert body["intended_role"] == "provider_staff"
    assert "password" not in body and "password_hash" not in body
    assert response.headers["Location"].endswith(f"/users/{body['id']}")


def test_the_password_is_stored_as_an_argon2_hash(app, client):
    user_id = client.post("/users", json=VALID).json["id"]

    with app.extensions["score_db"].reading() as session:
        stored = session.get(User, user_id).password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_a_second_account_for_the_same_email_in_any_case_is_a_conflict(client, count_rows):
    client.post("/users", json=VALID)

    response = client.post("/users", json={**VALID, "email": "BUDI@example.id"})

    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert count_rows(User) == 1 and count_rows(outbox) == 1


@pytest.mark.parametrize("change, field", [
    ({"password": "short1234"}, "password"),
    ({"password": "budi@example.id"}, "password"),
    ({"password": "x" * 1025}, "password"),
    ({"email": "not-an-email"}, "email"),
    ({"intended_role": "platform_admin"}, "intended_role"),
    ({"intended_role": "ilo_auditor"}, "intended_role"),
    ({"nickname": "bud"}, "nickname"),
    ({"name": 5}, "name"),
    ({"password": 1234567890123}, "password"),
    ({"name": ""}, "name"),
], ids=["too-short", "equals-email", "too-long", "bad-email", "admin-role", "auditor-role",
        "unknown-field", "name-not-a-string", "password-not-a-string", "empty-name"])
def test_an_invalid_registration_names_the_field_and_writes_nothing(client, count_rows, change,
                                                                     field):
    response = client.post("/users", json={**VALID, **change})

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]
    assert count_rows(User) == 0 and count_rows(outbox) == 0


def test_a_registration_missing_fields_lists_each_of_them(client, count_rows):
    response = client.post("/users", json={})

    assert response.status_code == 422
    assert set(response.json["errors"]) == {"email", "name", "password", "intended_role"}
    assert count_rows(User) == 0


@pytest.mark.parametrize("body", ["{broken", "[1, 2]", '"text"'],
                         ids=["malformed-json", "array", "string"])
def test_a_body_that_is_not_a_json_object_is_refused_and_writes_nothing(client, count_rows,
                                                                        body):
    response = client.post("/users", data=body, content_type="application/json")

    assert 400 <= response.status_code < 500
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"]
    assert count_rows(User) == 0 and count_rows(outbox) == 0
