"""Hostile requests to identity, most without a token: a 4xx problem each, nothing written."""

from __future__ import annotations

import json

import pytest

from services.identity.models import LoginFailure, RefreshToken, User
from tests.identity.conftest import PASSWORD

TOKEN_PARAMS = {
    "/oauth/token": {"grant_type": "password", "username": "siti@example.id",
                     "password": PASSWORD, "org_id": "sme-1"},
    "/oauth/token#refresh": {"grant_type": "refresh_token", "refresh_token": "r"},
    "/oauth/token#client": {"grant_type": "client_credentials", "client_id": "c",
                            "client_secret": "s"},
    "/oauth/revoke": {"token": "t", "token_type_hint": "refresh_token"},
    "/auth/logout": {"refresh_token": "r"},
}
NOT_TEXT = [["password"], {"a": 1}, None]


def raw_json(client, path: str, body: str):
    return client.post(path, data=body.encode("utf-8", "surrogatepass"),
                       content_type="application/json")


def assert_oauth_problem(response, error: str = "invalid_request") -> dict:
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["error"] == error
    return response.json


def nothing_written(count_rows) -> bool:
    return all(count_rows(model) == 0 for model in (User, RefreshToken, LoginFailure))


@pytest.mark.parametrize("grant_type", [["password"], {"password": 1}, 5, None],
                         ids=["list", "object", "number", "null"])
def test_a_grant_type_that_is_not_a_string_is_an_invalid_request(client, count_rows, grant_type):
    response = client.post("/oauth/token", json={"grant_type": grant_type})
    assert assert_oauth_problem(response)["errors"] == {"grant_type": ["Not a valid string."]}
    assert nothing_written(count_rows)


@pytest.mark.parametrize(("endpoint", "param"), [
    (endpoint, param) for endpoint, params in TOKEN_PARAMS.items() for param in params])
@pytest.mark.parametrize("value", NOT_TEXT, ids=["list", "object", "null"])
def test_every_oauth_parameter_must_be_a_string(client, count_rows, endpoint, param, value):
    body = {**TOKEN_PARAMS[endpoint], param: value}
    response = client.post(endpoint.partition("#")[0], json=body)
    assert param in assert_oauth_problem(response)["errors"]
    assert nothing_written(count_rows)


@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/revoke", "/auth/logout"])
def test_a_lone_surrogate_at_the_oauth_endpoints_is_an_invalid_request(client, count_rows, path):
    response = raw_json(client, path, '{"grant_type": "password", "username": "\\ud800@x.id", '
                                      '"password": "x", "token": "\\ud800", '
                                      '"refresh_token": "\\ud800"}')
    assert "surrogate" in assert_oauth_problem(response)["detail"]
    assert nothing_written(count_rows)


def test_a_lone_surrogate_in_a_registration_is_a_400(client, count_rows):
    body = json.dumps({"email": "siti@example.id", "name": "Siti MARK", "password": PASSWORD,
                       "intended_role": "sme_user"}).replace("MARK", "\\udc00")
    response = raw_json(client, "/users", body)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert nothing_written(count_rows)


def test_json_nested_100000_deep_is_a_400(client, count_rows):
    response = raw_json(client, "/users", '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert nothing_written(count_rows)


def test_a_nul_character_in_a_registration_is_a_422_naming_the_field(client, count_rows):
    response = client.post("/users", json={"email": "siti@example.id", "name": "Si\x00ti",
                                           "password": PASSWORD, "intended_role": "sme_user"})
    assert response.status_code == 422
    assert response.json["errors"] == {"name": ["must not contain NUL characters"]}
    assert nothing_written(count_rows)


@pytest.mark.parametrize("param", ["username", "password", "grant_type"])
def test_a_nul_character_in_a_form_token_request_is_an_invalid_request(client, register,
                                                                       count_rows, param):
    register()
    params = {"grant_type": "password", "username": "siti@example.id", "password": PASSWORD}
    response = client.post("/oauth/token", data={**params, param: params[param] + "\x00"})
    assert param in assert_oauth_problem(response)["errors"]
    assert count_rows(RefreshToken) == 0 and count_rows(LoginFailure) == 0


@pytest.mark.parametrize("query", [
    "page=9223372036854775807", "page=100001", "page=0", "per_page=9223372036854775807",
    "page=99999999999999999999999999", "email=a%00b@example.id",
])
def test_user_list_parameters_out_of_range_are_a_400(client, admin, query):
    response = client.get(f"/users?{query}", headers=admin)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["errors"].keys() == {query.partition("=")[0]}


def test_the_last_allowed_page_is_simply_empty(client, admin):
    response = client.get("/users?page=100000&per_page=100", headers=admin)
    assert response.status_code == 200 and response.json["items"] == []


@pytest.mark.parametrize(("data", "content_type"), [
    ("email=siti@example.id&name=Siti", "application/x-www-form-urlencoded"),
    ("siti@example.id", "text/plain"),
])
def test_a_registration_that_is_not_json_is_a_415(client, count_rows, data, content_type):
    response = client.post("/users", data=data, content_type=content_type)
    assert response.status_code == 415
    assert response.json["detail"] == "send the request body as application/json"
    assert response.headers["Accept"] == "application/json"
    assert nothing_written(count_rows)


def test_the_token_endpoint_still_takes_form_and_json_and_says_so_otherwise(client, register):
    register()
    params = {"grant_type": "password", "username": "siti@example.id", "password": PASSWORD}
    assert client.post("/oauth/token", data=params).status_code == 200
    assert client.post("/oauth/token", json=params).status_code == 200
    response = client.post("/oauth/token", data="grant_type=password", content_type="text/plain")
    assert "application/x-www-form-urlencoded" in assert_oauth_problem(response)["detail"]


def test_a_membership_grant_that_is_not_json_is_a_415(client, register, admin, count_rows):
    from services.identity.models import Membership

    user = register()
    response = client.post(f"/users/{user['id']}/memberships", headers=admin,
                           data="org_type=sme&org_id=sme-1&role=sme_user",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert count_rows(Membership) == 0
