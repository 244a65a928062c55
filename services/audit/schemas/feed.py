"""The feed's query parameters and answers (JSON; the export and the tail carry the same)."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from services.audit.schemas.log import TreeHeadOut
from shared.pages import decode_token

# The highest seq a client may name (the column is a 64-bit integer).
MAX_SEQ = 2**63 - 2
PRINTABLE = r"^[!-~]+$"
FORMATS = ("ndjson", "csv")


def _text(longest: int, description: str) -> fields.String:
    return fields.String(validate=[validate.Length(1, longest), validate.Regexp(PRINTABLE)],
                         metadata={"pattern": PRINTABLE, "description": description})


class FilterArgs(Schema):
    """Which entries: every filter given must hold (errors → 400; other parameters are
    ignored)."""

    type = _text(200, "event types starting with this, e.g. score.catalog.session. "
                      "(a whole type matches itself)")
    source = _text(200, "the event's source, e.g. /score/catalog")
    provider = _text(64, "the event's providerid: that provider's events")
    subject = _text(200, "the event's subject (the entity it is about)")
    start = fields.AwareDateTime(data_key="from", metadata={
        "description": "events whose own time is at or after this (ISO 8601 with offset)"})
    end = fields.AwareDateTime(data_key="to", metadata={
        "description": "events whose own time is before this; after from"})
    after = fields.Integer(validate=validate.Range(0, MAX_SEQ), metadata={
        "description": "entries after this seq (the last one seen; absent: from the start)"})

    @validates_schema
    def _window(self, data: dict, **_: Any) -> None:
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise ValidationError("must be after from", "to")


class EntryListArgs(FilterArgs):
    """Filters, the page size and where the page starts (``after`` or ``cursor``)."""

    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))
    cursor = fields.String(validate=validate.Length(1, 200), metadata={
        "pattern": r"^[A-Za-z0-9_-]+$",
        "description": "opaque: the next_cursor of the previous page (not with after)"})

    @post_load
    def _decode_cursor(self, data: dict, **_: Any) -> dict:
        if "cursor" in data:
            if "after" in data:
                raise ValidationError("give after or cursor, not both", "cursor")
            try:
                (seq,) = decode_token(data.pop("cursor"), 1)
            except ValueError as exc:
                raise ValidationError(str(exc), "cursor") from exc
            if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq <= MAX_SEQ:
                raise ValidationError("not a valid cursor", "cursor")
            data["after"] = seq
        return data


class ExportArgs(FilterArgs):
    """Filters, where the export starts, and its format."""

    format = fields.String(load_default="ndjson", validate=validate.OneOf(FORMATS), metadata={
        "description": "ndjson: one verbatim event per line; csv: attribute columns and "
                       "the verbatim event"})


class TailHeaders(Schema):
    """Where a reconnecting EventSource resumes."""

    last_event_id = fields.Integer(data_key="Last-Event-ID", validate=validate.Range(0, MAX_SEQ),
                                   metadata={"description": "the id (seq) of the last event "
                                                            "received; wins over after"})


class EntryOut(Schema):
    """One logged event: its place in the log, its attributes and its verbatim bytes."""

    seq = fields.Integer(metadata={"description": "the entry's index in the log (its "
                                                  "Merkle leaf index), dense from 0"})
    event_id = fields.String()
    type = fields.String()
    source = fields.String()
    subject = fields.String()
    providerid = fields.String(allow_none=True, metadata={
        "description": "the provider the event belongs to (null: none)"})
    time = fields.AwareDateTime(metadata={"description": "the event's own time"})
    topic = fields.String(metadata={"description": "the topic it was read from"})
    partition = fields.Integer()
    offset = fields.Integer()
    received_at = fields.AwareDateTime(metadata={"description": "when it was logged"})
    event = fields.Function(lambda entry: entry.event.decode("utf-8", "replace"), metadata={
        "type": "string",
        "description": "the CloudEvent exactly as logged (structured-mode JSON text): its "
                       "UTF-8 bytes are the entry's Merkle leaf"})


class EntryPage(Schema):
    """One page of entries in log order, and the tree head to verify them against."""

    items = fields.List(fields.Nested(EntryOut))
    next_cursor = fields.String(allow_none=True, metadata={
        "description": "null on the last page; pass it as cursor for the next"})
    limit = fields.Integer()
    tree_head = fields.Nested(TreeHeadOut, allow_none=True, metadata={
        "description": "the newest signed tree head, if it covers this page's entries "
                       "(each entry's inclusion proof is checked against it); null when "
                       "none does yet"})


class TopicStatusOut(Schema):
    """How far one topic has been logged: its newest entry."""

    topic = fields.String()
    last_seq = fields.Integer()
    partition = fields.Integer()
    offset = fields.Integer(metadata={"description": "that entry's offset in its partition"})
    time = fields.AwareDateTime(metadata={"description": "that event's own time"})
    received_at = fields.AwareDateTime(metadata={"description": "when it was logged"})


class IngestStatusOut(Schema):
    """What the ingest has done so far."""

    entries = fields.Integer(metadata={"description": "events logged (the next seq)"})
    duplicates = fields.Integer(metadata={"description": "records of events already logged "
                                                         "(re-sent or redelivered), not stored"})
    rejected = fields.Integer(metadata={"description": "records that were no CloudEvent, "
                                                       "kept aside"})
    topics = fields.List(fields.Nested(TopicStatusOut))
