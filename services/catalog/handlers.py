"""Consumed events: enrolment holds, confirmations, cancellations and expiries move the seats."""

from __future__ import annotations

from marshmallow import Schema, fields, post_load, validate
from sqlalchemy.orm import Session

from services.catalog.service import seats
from shared.events import Handler, Handlers

ENROLMENT_HELD = "score.enrolment.enrolment.held.v1"
ENROLMENT_CONFIRMED = "score.enrolment.enrolment.confirmed.v1"
ENROLMENT_CANCELLED = "score.enrolment.enrolment.cancelled.v1"
ENROLMENT_EXPIRED = "score.enrolment.enrolment.expired.v1"


class EnrolmentSeats(Schema):
    """What the catalog reads from an enrolment event (other fields are ignored)."""

    enrolment_id = fields.String(required=True, validate=validate.Length(1, 64))
    session_id = fields.String(required=True, validate=validate.Length(1, 36))
    participants = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    hold_id = fields.String(load_default=None, validate=validate.Length(1, 80), metadata={
        "description": "the seat hold this event is about (default: the enrolment id)"})

    @post_load
    def _default_hold(self, data: dict, **_kwargs) -> dict:
        data["hold_id"] = data["hold_id"] or data["enrolment_id"]
        return data


def on_seats_held(session: Session, event) -> None:
    """Seats held while the SME pays."""
    seats.seats_held(session, **event.data)


def on_enrolment_confirmed(session: Session, event) -> None:
    """Seats kept by a paid enrolment."""
    seats.enrolment_confirmed(session, **event.data)


def on_seats_released(session: Session, event) -> None:
    """Seats released by a cancelled or expired enrolment."""
    seats.seats_released(session, **event.data)


HANDLERS = Handlers([
    Handler(ENROLMENT_HELD, EnrolmentSeats, on_seats_held),
    Handler(ENROLMENT_CONFIRMED, EnrolmentSeats, on_enrolment_confirmed),
    Handler(ENROLMENT_CANCELLED, EnrolmentSeats, on_seats_released),
    Handler(ENROLMENT_EXPIRED, EnrolmentSeats, on_seats_released),
])
