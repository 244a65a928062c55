"""The transactional outbox: the state change and its event commit together or not at all."""

from __future__ import annotations

import datetime as dt

import pytest
from marshmallow import Schema, fields
from sqlalchemy import func, select

from shared.events import publish
from shared.events.envelope import EventEnvelope
from shared.events.registry import EventSchemaError, EventType
from shared.events.tables import outbox
from tests.support.pingpong.events import PING_SENT
from tests.support.pingpong.models import Ping


@pytest.fixture
def db(pings_db):
    return pings_db


def payload(**overrides):
    data = {"ping_id": 1, "org_id": "org-a", "key": "k", "seq": 1}
    data.update(overrides)
    return data


def count(db, table_or_model) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(table_or_model))


def test_a_committed_use_case_leaves_its_row_and_its_event(db):
    with db.transaction() as session:
        session.add(Ping(org_id="org-a", seq=1, key="k", note="hi"))
        publish(session, PING_SENT, "k", payload())
    assert count(db, Ping) == 1
    assert count(db, outbox) == 1


def test_a_rolled_back_use_case_leaves_neither_row_nor_event(db):
    with pytest.raises(RuntimeError), db.transaction() as session:
        session.add(Ping(org_id="org-a", seq=1, key="k", note="hi"))
        publish(session, PING_SENT, "k", payload())
        raise RuntimeError("the use case failed after publishing")
    assert count(db, Ping) == 0
    assert count(db, outbox) == 0


def test_an_invalid_payload_is_refused_at_publish_time(db):
    with pytest.raises(EventSchemaError) as caught, db.transaction() as session:
        publish(session, PING_SENT, "k", payload(seq="not a number", extra=1))
    assert set(caught.value.errors) == {"seq", "extra"}
    assert count(db, outbox) == 0


def test_the_outbox_row_holds_a_complete_cloudevent_keyed_by_subject(db):
    with db.transaction() as session:
        event = publish(session, PING_SENT, "agg-7", payload(), providerid="prov-1")
    with db.reading() as session:
        row = session.execute(select(outbox)).one()
    parsed = EventEnvelope.from_bytes(row.payload)
    assert (row.topic, row.key, row.type) == ("score.pingpong", "agg-7", PING_SENT.type)
    assert parsed.id == event.id and parsed.subject == "agg-7"
    assert parsed.source == "/score/pingpong" and parsed.providerid == "prov-1"
    assert parsed.data == {**payload(), "poison": False}


class Stamped(Schema):
    at = fields.DateTime(required=True)
    history = fields.List(fields.DateTime())


STAMPED = EventType("score.pingpong.stamp.made.v1", Stamped)


def test_a_timestamp_without_its_utc_offset_is_refused_at_publish_time():
    naive = dt.datetime(2026, 11, 29, 17, 36)
    with pytest.raises(EventSchemaError) as caught:
        STAMPED.validate({"at": naive, "history": [naive.replace(tzinfo=dt.UTC), naive]})
    assert set(caught.value.errors) == {"at", "history[1]"}


def test_a_published_timestamp_keeps_its_offset():
    at = dt.datetime(2026, 11, 29, 17, 36, tzinfo=dt.UTC)
    assert STAMPED.validate({"at": at})["at"] == "2026-11-29T17:36:00+00:00"
