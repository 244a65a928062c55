"""Hostile input gets a 4xx problem and changes nothing, in every service (pingpong here).

The guard (``shared.inputs``) runs before any view, so these hold for every
endpoint of every service without the service doing anything.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from shared.web import create_service_app
from tests.support import pingpong
from tests.support.apps import migrated_sqlite

from .test_web import assert_problem, rows


@pytest.fixture
def app(tmp_path, app_config):
    url = migrated_sqlite(pingpong.runtime(), tmp_path)
    return pingpong.create_app(app_config(database_url=url))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def member(auth):
    return auth("sme_user", "org-a")


def post_raw(client, headers, body: str, content_type="application/json"):
    return client.post("/pings", data=body.encode("utf-8", "surrogatepass"),
                       content_type=content_type, headers=headers)


@pytest.mark.parametrize("body", [
    '{"note": "\\ud800"}',
    '{"note": "ok \\udfff ok"}',
    '{"note": "hi", "\\ud800": 1}',
    '{"note": "hi", "key": ["\\ud83d"]}',
], ids=["value", "low-half", "key", "nested"])
def test_a_lone_surrogate_anywhere_in_the_json_is_a_400(client, app, member, body):
    body_problem = assert_problem(post_raw(client, member, body), 400)
    assert "surrogate" in body_problem["detail"]
    assert rows(app) == (0, 0)


def test_a_surrogate_pair_is_a_character_and_is_accepted(client, member):
    response = post_raw(client, member, '{"note": "smile \\ud83d\\ude00"}')
    assert response.status_code == 201
    assert response.json["note"] == "smile \U0001F600"


def test_raw_surrogate_bytes_are_not_utf8_and_get_a_400(client, app, member):
    body = '{"note": "\ud800"}'.encode("utf-8", "surrogatepass")  # b"\xed\xa0\x80"
    response = client.post("/pings", data=body, content_type="application/json",
                           headers=member)
    assert_problem(response, 400)
    assert rows(app) == (0, 0)


@pytest.mark.parametrize("depth", [100_000, 1_000, 33])
def test_json_nested_too_deep_is_a_400(client, app, member, depth):
    body = '{"note": ' + "[" * depth + "]" * depth + "}"
    assert "nested" in assert_problem(post_raw(client, member, body), 400)["detail"]
    assert rows(app) == (0, 0)


@pytest.mark.parametrize("body", [
    '{"note": "hi", "seq": NaN}',
    '{"note": "hi", "seq": Infinity}',
    '{"note": "hi", "seq": ' + "9" * 5000 + "}",
], ids=["nan", "infinity", "5000-digits"])
def test_numbers_json_does_not_have_get_a_400(client, app, member, body):
    assert_problem(post_raw(client, member, body), 400)
    assert rows(app) == (0, 0)


@pytest.mark.parametrize("seq", [2**31, 2**63, -1])
def test_an_integer_out_of_its_range_is_a_422_naming_it(client, app, member, seq):
    response = client.post("/pings", json={"note": "hi", "seq": seq}, headers=member)
    assert set(assert_problem(response, 422)["errors"]) == {"seq"}
    assert rows(app) == (0, 0)


@pytest.mark.parametrize(("body", "errors"), [
    ({"note": "a\x00b"}, {"note": ["must not contain NUL characters"]}),
    ({"note": "hi", "key": "\x00"}, {"key": ["must not contain NUL characters"]}),
    ({"note": "hi", "x\x00": 1}, {"x\x00": ["must not contain NUL characters"]}),
    ({"note": {"deep": ["ok", "\x00"]}},
     {"note": {"deep": {"1": ["must not contain NUL characters"]}}}),
], ids=["field", "other-field", "key", "nested"])
def test_a_nul_character_in_a_json_string_is_a_422_naming_the_field(client, app, member, body,
                                                                    errors):
    response = client.post("/pings", json=body, headers=member)
    assert assert_problem(response, 422)["errors"] == errors
    assert rows(app) == (0, 0)


def test_a_nul_character_in_the_query_string_is_a_400_naming_the_parameter(client, member):
    response = client.get("/pings?note=a%00b", headers=member)
    assert assert_problem(response, 400)["errors"] == {"note": ["must not contain NUL characters"]}


def test_an_integer_path_segment_beyond_64_bits_is_a_404(client, member):
    assert_problem(client.get(f"/pings/{2**63}", headers=member), 404)
    assert_problem(client.delete(f"/pings/{10**30}", headers=member), 404)


@pytest.mark.parametrize(("data", "content_type"), [
    ("note=hi", "application/x-www-form-urlencoded"),
    ('{"note": "hi"}', "text/plain"),
    ('{"note": "hi"}', ""),
    ("<ping note='hi'/>", "application/xml"),
], ids=["form", "text", "no-content-type", "xml"])
def test_a_body_that_is_not_json_is_a_415_naming_json(client, app, member, data, content_type):
    headers = {**member, "Content-Type": content_type} if content_type else member
    response = client.post("/pings", data=data, headers=headers)
    body = assert_problem(response, 415)
    assert "application/json" in body["detail"]
    assert body["errors"] == {"Content-Type": ["must be application/json"]}
    assert response.headers["Accept"] == "application/json"
    assert rows(app) == (0, 0)


def test_a_declared_non_json_type_is_a_415_even_without_a_body(client, member):
    response = client.post("/pings", data=b"", content_type="text/plain", headers=member)
    assert_problem(response, 415)


def test_no_body_at_all_is_still_a_422_listing_the_missing_fields(client, member):
    response = client.post("/pings", headers=member)
    assert set(assert_problem(response, 422)["errors"]) == {"note"}


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8",
                                          "application/vnd.score+json"])
def test_json_in_its_other_spellings_is_accepted(client, member, content_type):
    response = client.post("/pings", data=json.dumps({"note": "hi"}),
                           content_type=content_type, headers=member)
    assert response.status_code == 201


def test_an_endpoint_without_a_body_does_not_ask_for_a_media_type(client, member):
    own = client.post("/pings", json={"note": "a"}, headers=member).json
    response = client.delete(f"/pings/{own['id']}", data="ignored", content_type="text/plain",
                             headers=member)
    assert response.status_code == 204


def test_a_service_whose_request_schema_takes_an_unbounded_integer_does_not_start(
        tmp_path, app_config):
    class CountIn(Schema):
        count = fields.Integer(required=True)
        nested = fields.List(fields.Nested(type("Inner", (Schema,), {
            "size": fields.Integer(validate=lambda v: v > 0)})))

    blp = Blueprint("counts", __name__)

    @blp.route("/counts", methods=["POST"])
    @blp.arguments(CountIn)
    def create(data):
        return data

    runtime = dataclasses.replace(pingpong.runtime(), blueprints=lambda: [blp])
    url = migrated_sqlite(pingpong.runtime(), tmp_path)
    with pytest.raises(TypeError) as refused:
        create_service_app(runtime, app_config(database_url=url))
    assert "counts.create: count" in str(refused.value)
    assert "counts.create: nested[].size" in str(refused.value)


def test_an_unknown_route_is_a_404_whatever_its_body(client):
    response = client.post("/nowhere", data=b'{"note": "\\ud800"', content_type="application/json")
    assert_problem(response, 404)
