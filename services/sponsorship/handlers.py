"""Events sponsorship consumes: ``Handler(event type, schema of the fields read, use case)``.

- enrolment's ``sme.*`` and catalog's ``session.*`` keep the facts quotes test
  (:mod:`.service.facts`);
- enrolment's ``enrolment.*`` and ``payment.refunded`` drive the reservation saga
  (:mod:`.service.saga`).

Schemas list only the fields read, with no bounds beyond the producer's own (a
tolerant reader; the contract test compares them with the producer's snapshot).
Handlers run inside the inbox transaction and raise on anything they cannot
apply: the event is retried, then dead-lettered.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from services.sponsorship.service import facts, saga
from shared.events import Handler, Handlers

SESSION_EVENTS = ("published", "updated", "cancelled", "started", "completed")


class SmeRead(Schema):
    """What sponsorship reads of an SME."""

    sme_id = fields.String(required=True)
    legal_name = fields.String(required=True)
    province_code = fields.String(required=True)
    kbli_code = fields.String(required=True)
    size_class = fields.String(required=True)


class SessionRead(Schema):
    """What sponsorship reads of a catalog session."""

    session_id = fields.String(required=True)
    provider_id = fields.String(required=True)
    module_code = fields.String(required=True)
    title_en = fields.String(required=True)
    province_code = fields.String(required=True)
    start_date = fields.Date(required=True)
    price_per_participant = fields.Integer(required=True, strict=True, allow_none=True)
    ilo_supervised = fields.Boolean(required=True)
    status = fields.String(required=True)


class EnrolmentRead(Schema):
    """What the saga reads of an enrolment event."""

    enrolment_id = fields.String(required=True)
    hold_id = fields.String(required=True)
    status = fields.String(required=True)
    sponsor_share = fields.Integer(required=True, strict=True)
    reservation_id = fields.String(load_default=None, allow_none=True)
    changed_by = fields.String(required=True)


class PaymentRead(Schema):
    """What the saga reads of a refund."""

    enrolment_id = fields.String(required=True)
    changed_by = fields.String(required=True)


def _on_sme(session, event) -> None:
    """An SME registered or changed: refresh its facts."""
    facts.apply_sme(session, event.data)


def _on_session(session, event) -> None:
    """A catalog session changed: refresh its facts."""
    facts.apply_session(session, event.data)


HANDLERS = Handlers([
    Handler("score.enrolment.sme.registered.v1", SmeRead, _on_sme),
    Handler("score.enrolment.sme.updated.v1", SmeRead, _on_sme),
    *[Handler(f"score.catalog.session.{action}.v1", SessionRead, _on_session)
      for action in SESSION_EVENTS],
    Handler("score.enrolment.enrolment.confirmed.v1", EnrolmentRead, saga.on_confirmed),
    Handler("score.enrolment.enrolment.expired.v1", EnrolmentRead, saga.on_ended),
    Handler("score.enrolment.enrolment.cancelled.v1", EnrolmentRead, saga.on_ended),
    Handler("score.enrolment.enrolment.completed.v1", EnrolmentRead, saga.on_completed),
    Handler("score.enrolment.payment.refunded.v1", PaymentRead, saga.on_refunded),
])
