"""Every service's OpenAPI document says what its API does, precisely enough to generate clients."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from shared.openapi import OPTIONAL, operation_id
from shared.problems import ProblemApi
from shared.runtime import discover_runtimes, load_runtime
from tests.support.apps import service_app

SERVICES = [*(r.name for r in discover_runtimes()), "tests.support.pingpong:runtime"]
METHODS = {"get", "put", "post", "patch", "delete"}
STANDARD_FORMATS = {"date-time", "date", "email", "uri", "uuid", "int32", "int64", "float",
                    "double", "byte", "binary", "password"}


@pytest.fixture(scope="module", params=SERVICES)
def document(request, tmp_path_factory, signing_key) -> dict:
    """The OpenAPI document each service serves."""
    app = service_app(load_runtime(request.param), tmp_path_factory.mktemp("openapi"),
                      signing_key)
    spec = app.test_client().get("/openapi.json").json
    app.extensions["score_db"].dispose()
    return spec


def operations(document: dict):
    """``(method, path, operation)`` of every operation."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def resolve(document: dict, node: dict) -> dict:
    """``node``, or the component its ``$ref`` names."""
    while "$ref" in node:
        _, _, section, name = node["$ref"].split("/")
        node = document["components"][section][name]
    return node


def walk(node, key: str):
    """Every value of ``key`` anywhere in ``node``."""
    if isinstance(node, dict):
        for k, value in node.items():
            if k == key:
                yield value
            yield from walk(value, key)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value, key)


def test_every_operation_has_a_unique_readable_operation_id(document):
    ids = [operation.get("operationId") for _, _, operation in operations(document)]

    assert all(isinstance(i, str) and re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids), ids
    assert len(ids) == len(set(ids))


def test_every_error_response_is_documented_as_problem_json(document):
    for method, path, operation in operations(document):
        for code, response in operation["responses"].items():
            if code == "default" or int(code) >= 400:
                content = resolve(document, response)["content"]
                assert set(content) == {"application/problem+json"}, (method, path, code)


def test_parameter_errors_are_documented_as_400_and_body_errors_as_422(document):
    for method, path, operation in operations(document):
        responses = operation["responses"]
        if "422" in responses:
            assert "requestBody" in operation, (method, path)
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert "400" in responses, (method, path)


def test_only_standard_formats_are_used(document):
    assert set(walk(document, "format")) <= STANDARD_FORMATS


def test_response_schemas_list_their_required_fields(document):
    for method, path, operation in operations(document):
        for code, response in operation["responses"].items():
            content = resolve(document, response).get("content", {})
            for media in content.values():
                schema = resolve(document, media["schema"])
                schema = resolve(document, schema.get("items", schema))
                if schema.get("type", "object") != "object":
                    continue  # an HTML page or other text: no fields to require
                assert schema.get("required"), (method, path, code)


def test_problems_may_carry_extension_members_such_as_the_oauth_error(document):
    problem = document["components"]["schemas"]["Problem"]

    assert problem["additionalProperties"] is True
    assert "error" in problem["properties"]
    assert set(problem["required"]) == {"type", "title", "status"}


def test_operation_ids_are_named_after_the_method_and_the_view():
    assert operation_id("sessions.SessionItem", "GET") == "get_session_item"
    assert operation_id("oauth.Token", "post") == "post_token"


class NoteIn(Schema):
    text = fields.String(required=True)


class NoteOut(Schema):
    id = fields.Integer()
    text = fields.String()
    edited_by = fields.String(metadata={OPTIONAL: True})
    echo = fields.Nested(NoteIn)


def _api_with(*blueprints: Blueprint) -> dict:
    app = Flask(__name__)
    app.config.update(API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.3")
    api = ProblemApi(app)
    api.register_blueprints(blueprints)
    return api.spec.to_dict()


def _notes_blueprint(name: str) -> Blueprint:
    blp = Blueprint(name, __name__, url_prefix=f"/{name}")

    @blp.route("")
    class Notes(MethodView):
        @blp.arguments(NoteIn)
        @blp.response(201, NoteOut)
        def post(self, data):
            """Add a note."""

    return blp


def test_response_only_schemas_require_every_field_not_marked_optional():
    schemas = _api_with(_notes_blueprint("notes"))["components"]["schemas"]

    assert schemas["NoteOut"]["required"] == ["echo", "id", "text"]
    assert schemas["NoteIn"]["required"] == ["text"]


def test_two_operations_may_not_share_an_operation_id():
    with pytest.raises(ValueError, match="post_notes"):
        _api_with(_notes_blueprint("notes"), _notes_blueprint("memos"))


def test_operations_limited_to_roles_name_them_and_ask_for_a_token(document):
    every = list(operations(document))
    limited = [(m, p, op) for m, p, op in every if "x-roles" in op]

    assert limited or not every  # a service without an API (the portal) limits nothing
    for method, path, operation in limited:
        assert operation["security"] == [{"bearerAuth": []}], (method, path)
        assert operation["x-roles"] and all(isinstance(r, str) for r in operation["x-roles"])
