"""The sessions read model as enrolment shows it: catalog's session plus the seat counters."""

from __future__ import annotations

from marshmallow import Schema, fields


class TrainerOut(Schema):
    """A trainer assigned to the session."""

    trainer_id = fields.String()
    role = fields.String()


class OfferedSessionOut(Schema):
    """A session as enrolment knows it (from catalog's events), with its seats."""

    id = fields.String()
    provider_id = fields.String()
    course_id = fields.String()
    module_code = fields.String()
    title_id = fields.String()
    title_en = fields.String()
    start_date = fields.Date()
    end_date = fields.Date()
    enrolment_deadline = fields.Date()
    city = fields.String()
    province_code = fields.String(metadata={"description": "BPS code"})
    status = fields.String(metadata={"description": "catalog's session status"})
    capacity = fields.Integer()
    seats_held = fields.Integer(metadata={"description": "held by unpaid enrolments"})
    seats_confirmed = fields.Integer(metadata={"description": "kept by paid enrolments"})
    seats_free = fields.Integer(metadata={"description": "neither held nor confirmed"})
    price_per_participant = fields.Integer(allow_none=True, metadata={
        "description": "IDR, frozen when the session was published"})
    max_participants_per_enterprise = fields.Integer()
    classroom_days = fields.Integer()
    consultancy_visits = fields.Integer()
    ilo_supervised = fields.Boolean()
    trainers = fields.List(fields.Nested(TrainerOut))
    updated_at = fields.AwareDateTime()
