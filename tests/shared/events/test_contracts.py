"""Event contracts: snapshots stay compatible; the AsyncAPI document is valid and current."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from marshmallow import Schema, fields

from shared.events.contracts import (
    CONTRACTS_DIR,
    asyncapi_document,
    incompatibilities,
    json_schema,
    snapshot_path,
)
from shared.runtime import discover_runtimes

RUNTIMES = discover_runtimes()
PUBLISHED = [t for runtime in RUNTIMES for t in runtime.events]


@pytest.mark.parametrize("event_type", PUBLISHED, ids=lambda t: t.type)
def test_every_published_type_keeps_the_promise_of_its_committed_snapshot(event_type):
    path = snapshot_path(event_type)
    assert path.exists(), f"no snapshot for {event_type.type}: run `score contracts` and commit"
    committed = json.loads(path.read_text())["schema"]
    assert incompatibilities(committed, json_schema(event_type.schema)) == []


class Before(Schema):
    id = fields.String(required=True)
    seats = fields.Integer(required=True)
    note = fields.String()
    tags = fields.List(fields.String())


class AddsOptional(Before):
    city = fields.String()


class AddsRequired(Before):
    city = fields.String(required=True)


class Renamed(Schema):
    id = fields.String(required=True)
    seat_count = fields.Integer(required=True)
    note = fields.String()
    tags = fields.List(fields.String())


class Retyped(Before):
    seats = fields.String(required=True)


class LoosensRequired(Before):
    seats = fields.Integer()


class RetypesItems(Before):
    tags = fields.List(fields.Integer())


@pytest.mark.parametrize(("after", "verdict"), [
    (Before, []),
    (AddsOptional, []),
    (AddsRequired, ["city: became required"]),
    (Renamed, ["seats: removed", "seat_count: became required", "seats: no longer required"]),
    (Retyped, ["seats: type 'integer' -> 'string'"]),
    (LoosensRequired, ["seats: no longer required"]),
    (RetypesItems, ["tags[]: type 'string' -> 'integer'"]),
])
def test_only_optional_additions_are_compatible_within_a_major_version(after, verdict):
    assert sorted(incompatibilities(json_schema(Before), json_schema(after))) == sorted(verdict)


def test_the_committed_asyncapi_document_is_current():
    committed = yaml.safe_load((CONTRACTS_DIR / "asyncapi.yaml").read_text())
    assert committed == json.loads(json.dumps(asyncapi_document(RUNTIMES))), (
        "contracts/asyncapi.yaml is stale: run `score contracts` and commit")


def test_the_asyncapi_document_is_valid_asyncapi_3(asyncapi_schema):
    document = yaml.safe_load((CONTRACTS_DIR / "asyncapi.yaml").read_text())
    validator = jsonschema.validators.validator_for(asyncapi_schema)(asyncapi_schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


def test_the_asyncapi_document_names_every_topic_and_published_type():
    document = asyncapi_document(RUNTIMES)
    for event_type in PUBLISHED:
        assert event_type.type in document["channels"][event_type.topic]["messages"]
