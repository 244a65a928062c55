"""Refresh-token rotation, reuse detection, logout and revocation."""

import pytest


@pytest.fixture
def signed_in(register, login):
    """A registered user's first token response."""
    register()
    return login().json


@pytest.fixture
def refresh(client):
    """``refresh(token)`` → the token endpoint's response to a refresh_token grant."""
    return lambda token: client.post("/oauth/token", data={"grant_type": "refresh_token",
                                                           "refresh_token": token})


def test_a_refresh_gives_new_tokens_and_a_new_refresh_token(signed_in, refresh, verifier):
    response = refresh(signed_in["refresh_token"])

    assert response.status_code == 200
    assert response.json["refresh_token"] != signed_in["refresh_token"]
    assert verifier.verify(response.json["access_token"]).role == "sme_user"
    assert response.headers["Cache-Control"] == "no-store"


def test_a_refresh_token_works_only_once(signed_in, refresh):
    refresh(signed_in["refresh_token"])

    response = refresh(signed_in["refresh_token"])

    assert response.status_code == 400
    assert response.json["error"] == "invalid_grant"


def test_reusing_a_refresh_token_revokes_the_tokens_rotated_from_it(signed_in, refresh):
    rotated = refresh(signed_in["refresh_token"]).json["refresh_token"]

    refresh(signed_in["refresh_token"])  # a thief (or a confused client) replays it

    assert refresh(rotated).status_code == 400


def test_reuse_leaves_other_sign_ins_of_the_same_user_alone(signed_in, login, refresh):
    other_device = login().json["refresh_token"]
    refresh(signed_in["refresh_token"])
    refresh(signed_in["refresh_token"])

    assert refresh(other_device).status_code == 200


def test_a_refresh_keeps_the_organisation_of_the_sign_in(register, grant, login, refresh,
                                                         verifier):
    user = register()
    grant(user["id"], "sme", "sme-3", "sme_user")

    response = refresh(login().json["refresh_token"])

    assert verifier.verify(response.json["access_token"]).org == "sme-3"


def test_an_expired_refresh_token_is_refused(signed_in, refresh, clock):
    clock.advance(days=14, seconds=1)

    assert refresh(signed_in["refresh_token"]).status_code == 400


def test_the_refresh_lifetime_follows_the_setting(make_app, clock):
    client = make_app(refresh_token_ttl_s="3600").test_client()
    client.post("/users", json={"email": "a@example.id", "name": "A",
                                "password": "a long password", "intended_role": "trainer"})
    token = client.post("/oauth/token", data={"grant_type": "password", "username": "a@example.id",
                                              "password": "a long password"}).json["refresh_token"]
    clock.advance(hours=1, seconds=1)

    response = client.post("/oauth/token", data={"grant_type": "refresh_token",
                                                  "refresh_token": token})

    assert response.status_code == 400


def test_an_unknown_refresh_token_is_refused(client, refresh):
    assert refresh("made-up").json["error"] == "invalid_grant"


def test_logout_ends_the_sign_in(client, signed_in, refresh):
    response = client.post("/auth/logout", json={"refresh_token": signed_in["refresh_token"]})

    assert response.status_code == 204
    assert refresh(signed_in["refresh_token"]).status_code == 400


def test_logout_revokes_the_tokens_rotated_from_the_sign_in(client, signed_in, refresh):
    rotated = refresh(signed_in["refresh_token"]).json["refresh_token"]

    client.post("/auth/logout", json={"refresh_token": signed_in["refresh_token"]})

    assert refresh(rotated).status_code == 400


def test_revocation_endpoint_revokes_a_refresh_token(client, signed_in, refresh):
    response = client.post("/oauth/revoke", data={"token": signed_in["refresh_token"],
                                                  "token_type_hint": "refresh_token"})

    assert response.status_code == 200
    assert refresh(signed_in["refresh_token"]).status_code == 400


def test_revoking_an_unknown_token_still_succeeds(client):
    assert client.post("/oauth/revoke", data={"token": "never-issued"}).status_code == 200


def test_revoking_without_a_token_is_a_bad_request(client):
    response = client.post("/oauth/revoke", data={})

    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"


def test_a_revoked_membership_stops_its_refresh_tokens(client, register, grant, login, refresh,
                                                       admin):
    user = register()
    membership = grant(user["id"], "sme", "sme-3", "sme_user")
    token = login().json["refresh_token"]

    client.delete(f"/memberships/{membership['id']}", headers=admin)

    assert refresh(token).status_code == 400


def test_after_revocation_a_new_login_no_longer_acts_for_that_organisation(
        client, register, grant, login, admin, verifier):
    user = register()
    membership = grant(user["id"], "sme", "sme-3", "sme_user")
    client.delete(f"/memberships/{membership['id']}", headers=admin)

    principal = verifier.verify(login().json["access_token"])

    assert principal.org is None
    assert login(org_id="sme-3").status_code == 400
