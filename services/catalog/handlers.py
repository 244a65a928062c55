"""Consumed events: enrolments confirmed or cancelled move the seats read model."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session

from services.catalog.service import seats
from shared.events import Handler, Handlers

ENROLMENT_CONFIRMED = "score.enrolment.enrolment.confirmed.v1"
ENROLMENT_CANCELLED = "score.enrolment.enrolment.cancelled.v1"


class EnrolmentSeats(Schema):
    """What the catalog reads from an enrolment event (other fields are ignored)."""

    enrolment_id = fields.String(required=True, validate=validate.Length(1, 64))
    session_id = fields.String(required=True, validate=validate.Length(1, 36))
    participants = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


def on_enrolment_confirmed(session: Session, event) -> None:
    """Seats taken by a confirmed enrolment."""
    seats.enrolment_confirmed(session, **event.data)


def on_enrolment_cancelled(session: Session, event) -> None:
    """Seats released by a cancelled enrolment."""
    seats.enrolment_cancelled(session, **event.data)


HANDLERS = Handlers([
    Handler(ENROLMENT_CONFIRMED, EnrolmentSeats, on_enrolment_confirmed),
    Handler(ENROLMENT_CANCELLED, EnrolmentSeats, on_enrolment_cancelled),
])
