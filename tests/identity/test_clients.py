"""Machine clients and the client-credentials grant."""

import base64

import pytest

from services.identity.models import Client


@pytest.fixture
def feed_reader(client, admin):
    """The ILO feed reader's registration response (with its one-time secret)."""
    response = client.post("/clients", headers=admin,
                           json={"name": "ILO feed reader", "role": "ilo_auditor",
                                 "org_type": "ilo", "org_id": "ilo-jakarta"})
    assert response.status_code == 201, response.json
    return response.json


def _basic(client_id: str, secret: str) -> dict:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def test_a_client_gets_a_token_with_its_role_and_no_refresh_token(client, feed_reader, verifier):
    response = client.post("/oauth/token", data={
        "grant_type": "client_credentials", "client_id": feed_reader["client_id"],
        "client_secret": feed_reader["client_secret"]})

    assert response.status_code == 200
    assert "refresh_token" not in response.json
    principal = verifier.verify(response.json["access_token"])
    assert (principal.subject, principal.role, principal.org) == (
        feed_reader["client_id"], "ilo_auditor", "ilo-jakarta")


def test_a_client_may_authenticate_with_http_basic(client, feed_reader):
    response = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                           headers=_basic(feed_reader["client_id"], feed_reader["client_secret"]))

    assert response.status_code == 200


@pytest.mark.parametrize("secret_of, client_id_of", [
    (lambda c: "wrong-secret", lambda c: c["client_id"]),
    (lambda c: c["client_secret"], lambda c: "client-unknown"),
], ids=["wrong-secret", "unknown-client"])
def test_bad_client_credentials_are_refused(client, feed_reader, secret_of, client_id_of):
    response = client.post("/oauth/token", data={
        "grant_type": "client_credentials", "client_id": client_id_of(feed_reader),
        "client_secret": secret_of(feed_reader)})

    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.json["error"] == "invalid_client"


def test_a_wrong_basic_secret_is_challenged_with_basic(client, feed_reader):
    response = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                           headers=_basic(feed_reader["client_id"], "wrong"))

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_only_a_digest_of_the_secret_is_stored(app, feed_reader):
    with app.extensions["score_db"].reading() as session:
        stored = session.get(Client, feed_reader["client_id"])
    assert stored.secret_hash != feed_reader["client_secret"]
    assert feed_reader["client_secret"] not in stored.secret_hash


def test_the_client_list_never_shows_secrets(client, admin, feed_reader):
    response = client.get("/clients", headers=admin)

    assert response.status_code == 200
    assert [c["client_id"] for c in response.json] == [feed_reader["client_id"]]
    assert "client_secret" not in response.json[0]


def test_a_revoked_client_gets_no_more_tokens(client, admin, feed_reader):
    assert client.delete(f"/clients/{feed_reader['client_id']}", headers=admin).status_code == 204

    response = client.post("/oauth/token", data={
        "grant_type": "client_credentials", "client_id": feed_reader["client_id"],
        "client_secret": feed_reader["client_secret"]})

    assert response.json["error"] == "invalid_client"


@pytest.mark.parametrize("body, field", [
    ({"name": "x", "role": "platform_admin"}, "role"),
    ({"name": "x", "role": "service", "org_id": "o"}, "org_id"),
], ids=["admin-role", "org-without-type"])
def test_a_client_registration_is_validated(client, admin, body, field):
    response = client.post("/clients", headers=admin, json=body)

    assert response.status_code == 422
    assert field in response.json["errors"]


@pytest.mark.parametrize("role", ["sme_user", "ilo_auditor", "service"])
def test_only_platform_admins_manage_clients(client, auth, role):
    headers = auth(role, "org-1", "sme")

    assert client.post("/clients", headers=headers,
                       json={"name": "x", "role": "service"}).status_code == 403
    assert client.get("/clients", headers=headers).status_code == 403


def test_a_client_authenticating_both_ways_at_once_is_a_bad_request(client, feed_reader):
    response = client.post("/oauth/token",
                           data={"grant_type": "client_credentials",
                                 "client_secret": feed_reader["client_secret"]},
                           headers=_basic(feed_reader["client_id"], feed_reader["client_secret"]))

    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"
