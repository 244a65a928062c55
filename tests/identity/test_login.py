"""Signing in with the password grant, and the claims of the tokens it gives."""

import jwt
import pytest

from services.identity.models import User
from tests.identity.conftest import PASSWORD
from tests.support.apps import AUDIENCE, ISSUER


def test_the_right_password_gives_a_token_other_services_accept(register, login, verifier):
    user = register(role="sme_user")

    response = login()

    assert response.status_code == 200
    body = response.json
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert body["refresh_token"]
    assert response.headers["Cache-Control"] == "no-store"
    principal = verifier.verify(body["access_token"])
    assert (principal.subject, principal.role, principal.org) == (user["id"], "sme_user", None)


def test_the_access_token_carries_every_documented_claim(register, login, signing_key):
    register()

    token = login().json["access_token"]

    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "EdDSA" and header["kid"] == signing_key.kid
    assert claims["iss"] == ISSUER and claims["aud"] == AUDIENCE and claims["typ"] == "access"
    assert claims["exp"] - claims["iat"] == 900
    assert {"sub", "role", "jti"} <= set(claims)


def test_the_login_also_accepts_json(register, client):
    register()

    response = client.post("/oauth/token", json={"grant_type": "password",
                                                 "username": "SITI@example.id",
                                                 "password": PASSWORD})

    assert response.status_code == 200


def test_the_access_token_lifetime_follows_the_setting(make_app, verifier):
    client = make_app(access_token_ttl_s="60").test_client()
    client.post("/users", json={"email": "a@example.id", "name": "A", "password": PASSWORD,
                                "intended_role": "trainer"})

    body = client.post("/oauth/token", data={"grant_type": "password", "username": "a@example.id",
                                             "password": PASSWORD}).json

    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert body["expires_in"] == 60 and claims["exp"] - claims["iat"] == 60


@pytest.mark.parametrize("email, password", [
    ("siti@example.id", "wrong password!"),
    ("nobody@example.id", PASSWORD),
], ids=["wrong-password", "unknown-user"])
def test_wrong_credentials_are_an_invalid_grant_refused_alike(register, login, email, password):
    register()

    response = login(email, password)

    assert response.status_code == 400  # RFC 6749 section 5.2; 401 is for client auth
    assert response.mimetype == "application/problem+json"
    assert response.json["error"] == "invalid_grant"
    assert response.json["detail"] == "the email or password is wrong"
    assert "access_token" not in response.json


def test_a_member_of_one_organisation_acts_for_it_by_default(register, grant, login, verifier):
    user = register()
    grant(user["id"], "sme", "sme-7", "sme_user")

    principal = verifier.verify(login().json["access_token"])

    assert (principal.role, principal.org, principal.org_type) == ("sme_user", "sme-7", "sme")


def test_a_member_of_several_organisations_gets_the_first_granted_unless_choosing(
        register, grant, login, verifier, clock):
    user = register(role="provider_staff")
    grant(user["id"], "provider", "prov-1", "provider_staff")
    clock.advance(seconds=1)
    grant(user["id"], "trainer", "trainer-9", "trainer")

    first = verifier.verify(login().json["access_token"])
    chosen = verifier.verify(login(org_id="trainer-9").json["access_token"])

    assert (first.org, first.role) == ("prov-1", "provider_staff")
    assert (chosen.org, chosen.role, chosen.org_type) == ("trainer-9", "trainer", "trainer")


def test_choosing_an_organisation_one_does_not_belong_to_is_refused(register, grant, login):
    user = register()
    grant(user["id"])

    response = login(org_id="someone-elses-org")

    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"
    assert "org_id" in response.json["errors"]


def test_a_hash_made_with_old_parameters_is_upgraded_at_login(app, make_app, register):
    register()
    stronger = make_app(password_hash_time_cost="2").test_client()

    response = stronger.post("/oauth/token", data={"grant_type": "password",
                                                   "username": "siti@example.id",
                                                   "password": PASSWORD})

    assert response.status_code == 200
    with app.extensions["score_db"].reading() as session:
        stored = session.query(User).one().password_hash
    assert ",t=2," in stored
