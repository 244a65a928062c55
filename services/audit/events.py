"""Events audit publishes (topic ``score.audit``).

``tree_head.signed`` announces every signed tree head (subject: its size), so a
witness or mirror can collect heads as they are made and later ask for
consistency proofs between them: a log that forks or rewrites its past cannot
show both heads consistent.

``reconciliation.completed`` announces each reconciliation run: how much of the
log it compared, how many differences it found and which services it could not
read – so an alert can follow a run that found something without polling the API.

Payload builders live here, beside the schemas, so each type is built one way.
``score contracts`` snapshots the schemas and the AsyncAPI document.
"""

from __future__ import annotations

import base64

from marshmallow import Schema, fields, validate

from services.audit.models import ReconciliationRun, TreeHead
from shared.events import EventCatalog, EventType

BASE64 = r"^[A-Za-z0-9+/]+={0,2}$"


class TreeHeadSigned(Schema):
    """A signed tree head: the log's first ``size`` entries have Merkle root ``root``."""

    size = fields.Integer(required=True, strict=True, validate=validate.Range(1),
                          metadata={"description": "the number of entries the head covers"})
    root = fields.String(required=True, validate=validate.Regexp(BASE64), metadata={
        "description": "RFC 9162 Merkle tree hash of entries 0..size-1, base64 (32 bytes)"})
    signed_at = fields.AwareDateTime(required=True, metadata={
        "description": "when the head was signed (millisecond precision, UTC)"})
    key_id = fields.String(required=True, validate=validate.Length(1, 64), metadata={
        "description": "RFC 7638 thumbprint of the signing key (kid in the log's JWKS)"})
    signature = fields.String(required=True, validate=validate.Regexp(BASE64), metadata={
        "description": "Ed25519 signature over the head's canonical bytes, base64"})


def tree_head_signed(head: TreeHead) -> dict:
    """The payload of ``tree_head.signed`` for ``head``."""
    return {"size": head.size, "root": base64.b64encode(head.root).decode(),
            "signed_at": head.signed_at.isoformat(), "key_id": head.key_id,
            "signature": base64.b64encode(head.signature).decode()}


TREE_HEAD_SIGNED = EventType("score.audit.tree_head.signed.v1", TreeHeadSigned,
                             "The log signed a new tree head (subject: its size).")



def _count(**kwargs) -> fields.Integer:
    return fields.Integer(required=True, strict=True, validate=validate.Range(min=0), **kwargs)


class ReconciliationPayload(Schema):
    """A completed reconciliation run."""

    run_id = fields.String(required=True)
    trigger = fields.String(required=True, validate=validate.OneOf(("schedule", "admin")))
    requested_by = fields.String(required=True, allow_none=True)
    started_at = fields.AwareDateTime(required=True)
    completed_at = fields.AwareDateTime(required=True)
    log_size = _count(metadata={"description": "log entries compared: seq 0..log_size-1"})
    entities = _count(metadata={"description": "entities either side knows, compared"})
    differences = _count()
    unread = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                         metadata={"description": "service -> why it could not be read"})


RECONCILIATION_COMPLETED = EventType(
    "score.audit.reconciliation.completed.v1", ReconciliationPayload,
    "A reconciliation run compared the log's projections with every service's state.")


def run_payload(run: ReconciliationRun) -> dict:
    """Payload of ``reconciliation.completed``."""
    return {"run_id": run.id, "trigger": run.trigger, "requested_by": run.requested_by,
            "started_at": run.created_at, "completed_at": run.completed_at,
            "log_size": run.log_size, "entities": run.entities,
            "differences": run.differences, "unread": dict(run.unread)}


EVENTS = EventCatalog([TREE_HEAD_SIGNED, RECONCILIATION_COMPLETED])
