"""Events audit publishes (topic ``score.audit``; subject = entity id).

``reconciliation.completed`` announces each reconciliation run: how much of the
log it compared, how many differences it found and which services it could not
read – so an alert can follow a run that found something without polling the API.
Payload builders live here, beside the schemas, so each type is built one way.
``score contracts`` snapshots the schemas and the AsyncAPI document.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.audit.models import ReconciliationRun
from shared.events import EventCatalog, EventType


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


EVENTS = EventCatalog([RECONCILIATION_COMPLETED])
