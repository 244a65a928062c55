"""Request and response schemas of ``/reconciliations``."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate

from services.audit.reconciliation.kinds import SERVICES
from shared.pages import PageArgs, decode_token, page_of

TRIGGERS = ("schedule", "admin")


class RunOut(Schema):
    """A reconciliation run and what it found."""

    id = fields.String()
    trigger = fields.String(validate=validate.OneOf(TRIGGERS), metadata={
        "description": "schedule: the periodic job (or its one-off round); admin: POSTed"})
    requested_by = fields.String(allow_none=True, metadata={
        "description": "the platform admin who asked for it (null when scheduled)"})
    started_at = fields.AwareDateTime(attribute="created_at")
    completed_at = fields.AwareDateTime()
    log_size = fields.Integer(metadata={
        "description": "log entries compared: seq 0..log_size-1 (read before the services)"})
    entities = fields.Integer(metadata={"description": "entities either side knows, compared"})
    differences = fields.Integer()
    unread = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "services that could not be read and why (not_configured, no_token, "
                       "timeout, unreachable, server_error, refused, malformed): their "
                       "entities were not compared"})


RunPage = page_of(RunOut, "RunPage", "One page of reconciliation runs, newest first.")


class DifferenceOut(Schema):
    """One field of one entity on which the log and the owning service disagree."""

    service = fields.String()
    endpoint = fields.String(metadata={"description": "the service's list endpoint read"})
    entity = fields.String(metadata={"description": "the kind: provider, enrolment, sponsor, "
                                                    "offer, fund, module_status"})
    entity_id = fields.String(metadata={
        "description": "the entity's id (a module status: trainer id/module code)"})
    field = fields.String(metadata={
        "description": "the metric (status, deposited, ...), or exists: one side lacks it"})
    log_value = fields.String(allow_none=True, metadata={
        "description": "as the log's events state it (null: the log has no such entity)"})
    service_value = fields.String(allow_none=True, metadata={
        "description": "as the service answers (null: the service has no such entity)"})
    last_seq = fields.Integer(allow_none=True, metadata={
        "description": "the last logged event about the entity (null: none)"})
    last_event_id = fields.String(allow_none=True)


class DifferencePage(Schema):
    """One page of a run's differences in the order found; ``next_cursor`` for the next."""

    items = fields.List(fields.Nested(DifferenceOut))
    next_cursor = fields.String(allow_none=True, metadata={
        "description": "null on the last page; pass it as cursor for the next"})
    limit = fields.Integer()


class DifferenceArgs(PageArgs):
    """Page through a run's differences, optionally one service's."""

    class Meta:
        unknown = RAISE

    service = fields.String(validate=validate.OneOf(SERVICES))

    @post_load
    def _decode_cursor(self, data, **_kwargs):
        # Differences page by their position in the run, not by creation time.
        if "cursor" in data:
            try:
                (after,) = decode_token(data["cursor"], 1)
            except ValueError as exc:
                raise ValidationError(str(exc), field_name="cursor") from exc
            if not isinstance(after, int) or isinstance(after, bool) or after < 0:
                raise ValidationError("not a valid cursor", field_name="cursor")
            data["cursor"] = after
        return data
