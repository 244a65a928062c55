"""Consumed events.

- enrolment's holds, confirmations, cancellations and expiries move the seats
  (:mod:`services.catalog.service.seats`);
- certification's registered and updated trainers and their module statuses keep
  the trainers read model (:mod:`services.catalog.service.trainers`) that a
  session's trainers are checked against.

Schemas list only the fields read (a tolerant reader).
"""

from __future__ import annotations

from marshmallow import Schema, fields, post_load, validate
from sqlalchemy.orm import Session

from services.catalog.service import seats, trainers
from shared.events import Handler, Handlers

ENROLMENT_HELD = "score.enrolment.enrolment.held.v1"
ENROLMENT_CONFIRMED = "score.enrolment.enrolment.confirmed.v1"
ENROLMENT_CANCELLED = "score.enrolment.enrolment.cancelled.v1"
ENROLMENT_EXPIRED = "score.enrolment.enrolment.expired.v1"
TRAINER_REGISTERED = "score.certification.trainer.registered.v1"
TRAINER_UPDATED = "score.certification.trainer.updated.v1"
MODULE_STATUS_CHANGED = "score.certification.module_status.changed.v1"


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


class TrainerProfile(Schema):
    """What the catalog reads of a trainer certification registered or updated."""

    trainer_id = fields.String(required=True, validate=validate.Length(1, 64))
    full_name = fields.String(required=True, validate=validate.Length(1, 120))
    gender = fields.String(required=True, validate=validate.OneOf(("female", "male")))
    province_code = fields.String(required=True, validate=validate.Length(1, 2))
    provider_id = fields.String(required=True, allow_none=True,
                                validate=validate.Length(1, 36))


class TrainerModule(Schema):
    """What the catalog reads of a trainer's move in a module."""

    trainer_id = fields.String(required=True, validate=validate.Length(1, 64))
    module_code = fields.String(required=True, validate=validate.Length(1, 4))
    status = fields.String(required=True, validate=validate.Length(1, 30))
    valid_until = fields.Date(required=True, allow_none=True)


def on_trainer(session: Session, event) -> None:
    """A trainer registered or changed: known from now on, as the event says."""
    trainers.record_trainer(session, event.data)


def on_module_status(session: Session, event) -> None:
    """A trainer moved in a module: the status catalog checks a lead against."""
    trainers.record_module_status(session, event.data)


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
    Handler(TRAINER_REGISTERED, TrainerProfile, on_trainer),
    Handler(TRAINER_UPDATED, TrainerProfile, on_trainer),
    Handler(MODULE_STATUS_CHANGED, TrainerModule, on_module_status),
])
