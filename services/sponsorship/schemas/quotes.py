"""Quotes at checkout and reservations."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.sponsorship import lifecycle
from shared.fields import Trimmed, bounded_int
from shared.pages import PageArgs, page_of

MAX_TEAM = 1000


class TeamIn(Schema):
    """The team: how many, managers and workers, women and men."""

    participants = bounded_int(1, MAX_TEAM, required=True)
    managers = bounded_int(0, MAX_TEAM, required=True)
    workers = bounded_int(0, MAX_TEAM, required=True)
    women = bounded_int(0, MAX_TEAM, required=True)
    men = bounded_int(0, MAX_TEAM, required=True)

    @validates_schema
    def _adds_up(self, data: dict, **_: Any) -> None:
        if len(data) < 5:
            return
        if data["managers"] + data["workers"] != data["participants"]:
            raise ValidationError("managers and workers must add up to participants",
                                  "participants")
        if data["women"] + data["men"] != data["participants"]:
            raise ValidationError("women and men must add up to participants", "participants")


class ReserveIn(Schema):
    """Turn the quote into a reservation for this seat hold."""

    enrolment_id = Trimmed(required=True, validate=validate.Length(1, 36))
    hold_id = Trimmed(required=True, validate=validate.Length(1, 80), metadata={
        "description": "one reservation per hold: a retry returns the first"})
    expires_at = fields.AwareDateTime(required=True, metadata={
        "description": "when the hold lapses; a later value extends the reservation"})


class QuoteIn(Schema):
    """A quote for a team of an SME in a session."""

    sme_id = Trimmed(required=True, validate=validate.Length(1, 36))
    session_id = Trimmed(required=True, validate=validate.Length(1, 36))
    team = fields.Nested(TeamIn, required=True)
    reserve = fields.Nested(ReserveIn, metadata={"description": "absent: a preview"})


class ReasonOut(Schema):
    """Why an offer does not apply."""

    code = fields.String(metadata={"example": "REASON_WOMEN_SHARE_BELOW_MIN"})
    detail = fields.String()


class AppliedOut(Schema):
    """What one offer pays."""

    offer_id = fields.String()
    fund_id = fields.String()
    sponsor_id = fields.String()
    sponsor_name = fields.String(allow_none=True)
    amount = fields.Integer()
    participants = fields.Integer()


class DeclinedOut(Schema):
    """An offer that pays nothing here, and why."""

    offer_id = fields.String()
    title = fields.String()
    sponsor_name = fields.String()
    reasons = fields.List(fields.Nested(ReasonOut))


class ReservationLineOut(Schema):
    """The part of a reservation one offer (one fund) pays."""

    offer_id = fields.String()
    fund_id = fields.String()
    sponsor_id = fields.String()
    amount = fields.Integer()
    units = fields.Integer(metadata={"description": "taken from the fund, in its unit"})
    participants = fields.Integer()


class ReservationOut(Schema):
    """A reservation of sponsor money for one seat hold."""

    id = fields.String()
    hold_id = fields.String()
    enrolment_id = fields.String()
    sme_id = fields.String()
    session_id = fields.String()
    provider_id = fields.String()
    module_code = fields.String()
    participants = fields.Integer()
    women = fields.Integer()
    men = fields.Integer()
    managers = fields.Integer()
    workers = fields.Integer()
    price = fields.Integer()
    amount = fields.Integer()
    status = fields.String(validate=validate.OneOf(lifecycle.RESERVATION.states))
    status_reason = fields.String(allow_none=True)
    expires_at = fields.AwareDateTime()
    completed = fields.Boolean()
    created_at = fields.AwareDateTime()
    settled_at = fields.AwareDateTime(allow_none=True)
    lines = fields.List(fields.Nested(ReservationLineOut))


class QuoteOut(Schema):
    """What sponsors pay, what the SME pays, and why other offers do not apply."""

    price = fields.Integer(metadata={"description": "rupiah: price per participant × team"})
    sponsor_share = fields.Integer()
    sme_share = fields.Integer()
    currency = fields.String()
    applied = fields.List(fields.Nested(AppliedOut))
    declined = fields.List(fields.Nested(DeclinedOut))
    reservation = fields.Nested(ReservationOut, allow_none=True)


ReservationPage = page_of(ReservationOut, "ReservationPage",
                          "One page of reservations, newest first.")


class ReservationListArgs(PageArgs):
    """Filters (all combine with AND; results are limited to what the caller may see)."""

    status = fields.String(validate=validate.OneOf(lifecycle.RESERVATION.states))
    sme_id = Trimmed(validate=validate.Length(1, 36))
    provider_id = Trimmed(validate=validate.Length(1, 36))
    sponsor_id = Trimmed(validate=validate.Length(1, 36))
    enrolment_id = Trimmed(validate=validate.Length(1, 36))
    session_id = Trimmed(validate=validate.Length(1, 36))
