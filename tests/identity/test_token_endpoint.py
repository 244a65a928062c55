"""The token endpoint's handling of malformed requests (RFC 6749 section 5.2)."""

import pytest


@pytest.mark.parametrize("params, error", [
    ({}, "invalid_request"),
    ({"grant_type": "authorization_code", "code": "x"}, "unsupported_grant_type"),
    ({"grant_type": "password", "username": "a@example.id"}, "invalid_request"),
    ({"grant_type": "refresh_token"}, "invalid_request"),
    ({"grant_type": "client_credentials", "client_id": "c"}, "invalid_request"),
], ids=["no-grant-type", "unsupported-grant", "no-password", "no-refresh-token", "no-secret"])
def test_incomplete_or_unknown_grants_are_bad_requests(client, params, error):
    response = client.post("/oauth/token", data=params)

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["error"] == error


def test_a_json_parameter_of_the_wrong_type_is_a_bad_request(client):
    response = client.post("/oauth/token", json={"grant_type": "password", "username": 5,
                                                 "password": ["x"]})

    assert response.status_code == 400
    assert set(response.json["errors"]) == {"username", "password"}


@pytest.mark.parametrize("body, content_type", [
    ("grant_type=password", "text/plain"),
    ("[1]", "application/json"),
    ("{oops", "application/json"),
], ids=["plain-text", "json-array", "malformed-json"])
def test_a_body_that_is_neither_a_form_nor_a_json_object_is_a_bad_request(client, body,
                                                                         content_type):
    response = client.post("/oauth/token", data=body, content_type=content_type)

    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"


def test_repeated_parameters_are_a_bad_request(client):
    response = client.post("/oauth/token", data="grant_type=password&grant_type=password",
                           content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert response.json["errors"] == {"grant_type": ["repeated"]}


def test_unrecognised_parameters_are_ignored_even_when_repeated(client, register):
    register()

    response = client.post(
        "/oauth/token", content_type="application/x-www-form-urlencoded",
        data="grant_type=password&username=siti%40example.id&password=correct+horse+battery"
             "&x=1&x=2&=&=")

    assert response.status_code == 200, response.json
