"""Consumers against producers: every handler's needs are committed and met by what is sent."""

from __future__ import annotations

import json

import pytest
from marshmallow import Schema, fields, validate

from shared.events.contracts import CONTRACTS_DIR, asyncapi_document, json_schema
from shared.events.expectations import (
    committed_expectations,
    expectation,
    expectation_path,
    unmet,
)
from shared.events.registry import EventType
from shared.runtime import discover_runtimes, load_runtime
from tests.shared.events.test_contracts import RUNTIMES

CONSUMED = [(runtime.name, handler) for runtime in RUNTIMES for handler in runtime.handlers or []]
EXPECTATIONS = committed_expectations()
BUILT = {r.name for r in discover_runtimes()}


def _label(expected: dict) -> str:
    return f"{expected['consumer']}:{expected['type']}"


@pytest.mark.parametrize(("consumer", "handler"), CONSUMED,
                         ids=[f"{c}:{h.type}" for c, h in CONSUMED])
def test_every_handler_has_its_current_expectation_committed(consumer, handler):
    path = expectation_path(handler.type, consumer)

    assert path.exists(), f"no expectation for {handler.type}: run `score contracts` and commit"
    assert json.loads(path.read_text()) == expectation(handler, consumer), (
        f"{path} is stale: run `score contracts` and commit")


def test_every_committed_expectation_belongs_to_a_handler():
    handled = {(consumer, handler.type) for consumer, handler in CONSUMED}

    assert {(e["consumer"], e["type"]) for e in EXPECTATIONS} == handled


@pytest.mark.parametrize("expected", EXPECTATIONS, ids=_label)
def test_every_expectation_is_met_by_its_producer_or_the_producer_is_not_built_yet(expected):
    producer = EventType(expected["type"], Schema)
    snapshot = producer_snapshot(expected["type"])

    if snapshot is None:
        assert producer.service not in BUILT, (
            f"{producer.service} is built but publishes no {expected['type']}, "
            f"which {expected['consumer']} consumes")
    else:
        assert unmet(snapshot, expected["schema"]) == []


def producer_snapshot(event_type: str) -> dict | None:
    """The committed producer schema of ``event_type``, if its producer has one."""
    path = CONTRACTS_DIR / "events" / f"{event_type}.json"
    return json.loads(path.read_text())["schema"] if path.exists() else None


def test_events_only_consumers_declare_yet_are_in_the_asyncapi_document():
    # Consumers may declare events whose producer is not built yet (none today, once
    # enrolment exists): the AsyncAPI document still names each, as the consumer reads it.
    document = asyncapi_document(RUNTIMES)
    for expected in (e for e in EXPECTATIONS if e["type"].split(".")[1] not in BUILT):
        topic = f"score.{expected['type'].split('.')[1]}"
        runtime = load_runtime(expected["consumer"])
        schema = next(h.schema for h in runtime.handlers if h.type == expected["type"])

        message = document["components"]["messages"][expected["type"]]
        receives = document["operations"][f"{expected['consumer']}.consume.{topic}"]["messages"]

        assert message["payload"]["properties"]["data"] == json_schema(schema)
        assert {"$ref": f"#/channels/{topic}/messages/{expected['type']}"} in receives


# -- the future producer: enrolment, checked against what catalog committed today


class EnrolmentConfirmed(Schema):
    enrolment_id = fields.String(required=True, validate=validate.Length(1, 64))
    session_id = fields.String(required=True, validate=validate.Length(36, 36))
    participants = fields.Integer(required=True, validate=validate.Range(1, 20))
    sme_id = fields.String(required=True)


class LooseEnrolmentConfirmed(Schema):
    enrolment_id = fields.String(required=True)
    session_id = fields.String(required=True, allow_none=True)
    participants = fields.Integer()


def test_a_producer_built_later_is_checked_against_the_committed_expectation():
    catalog_needs = json.loads(expectation_path("score.enrolment.enrolment.confirmed.v1",
                                                "catalog").read_text())["schema"]

    assert unmet(json_schema(EnrolmentConfirmed), catalog_needs) == []
    assert sorted(unmet(json_schema(LooseEnrolmentConfirmed), catalog_needs)) == [
        "enrolment_id: maxLength None, consumer wants 64",
        "enrolment_id: minLength None, consumer wants 1",
        "participants: minimum None, consumer wants 1",
        "participants: required by the consumer, optional for the producer",
        "session_id: maxLength None, consumer wants 36",
        "session_id: may be sent as null, consumer refuses null",
        "session_id: minLength None, consumer wants 1",
    ]


class Needs(Schema):
    id = fields.String(required=True)
    seats = fields.Integer(required=True)
    kind = fields.String(validate=validate.OneOf(["a", "b"]))
    tags = fields.List(fields.String())


class Sends(Schema):
    id = fields.String(required=True)
    seats = fields.Integer(required=True)
    kind = fields.String(validate=validate.OneOf(["a"]))
    tags = fields.List(fields.String())
    extra = fields.Boolean(required=True)


class MissesSeats(Schema):
    id = fields.String(required=True)


class SeatsAsText(Sends):
    seats = fields.String(required=True)


class NewKind(Sends):
    kind = fields.String(validate=validate.OneOf(["a", "c"]))


class NumericTags(Sends):
    tags = fields.List(fields.Integer())


@pytest.mark.parametrize(("producer", "verdict"), [
    (Sends, []),
    (MissesSeats, ["seats: required by the consumer, never sent"]),
    (SeatsAsText, ["seats: sent as 'string', read as 'integer'"]),
    (NewKind, ["kind: may be sent with values the consumer does not know"]),
    (NumericTags, ["tags[]: sent as 'integer', read as 'string'"]),
])
def test_a_consumer_is_served_when_every_field_it_needs_is_sent_as_it_reads_it(producer,
                                                                               verdict):
    assert unmet(json_schema(producer), json_schema(Needs)) == verdict
