"""Enrolment schemas: a team's enrolment, its reads and lists, a cancellation."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.enrolment import lifecycle
from shared.fields import PHONE, StrictBoolean, Trimmed, text
from shared.pages import PageArgs

MAX_TEAM = 20  # the schema's bound; the policy and the course set the real limit


class ParticipantIn(Schema):
    """One person of the team (no national id numbers: we do not need them)."""

    full_name = text(2, 120, required=True)
    gender = fields.String(required=True, validate=validate.OneOf(("female", "male")))
    role = fields.String(required=True, validate=validate.OneOf(("manager", "worker")))
    position = text(2, 120, required=True, metadata={"description": "job title in the SME"})
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    phone = Trimmed(load_default=None, allow_none=True, validate=PHONE)


class EnrolmentIn(Schema):
    """A team to enrol; when the session is full it may join the waitlist instead."""

    participants = fields.List(fields.Nested(ParticipantIn), required=True,
                               validate=validate.Length(1, MAX_TEAM), metadata={
                                   "description": "the team: its size and mix follow the team "
                                                  "rules (default 2–6, at least one manager and "
                                                  "one worker) and the course's per-enterprise "
                                                  "limit"})
    join_waitlist_if_full = StrictBoolean(load_default=False, metadata={
        "description": "when the team does not fit: 202 with a waitlist entry instead of 409"})


class ReasonIn(Schema):
    """Why (required for a cancellation)."""

    reason = text(3, 500, required=True)


class ParticipantOut(Schema):
    """A participant of an enrolled team."""

    id = fields.String()
    full_name = fields.String()
    gender = fields.String()
    role = fields.String()
    position = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    completed = fields.Boolean(allow_none=True, metadata={
        "description": "null until the session's attendance closes"})


class PaymentSummary(Schema):
    """A payment attempt of the enrolment, briefly."""

    id = fields.String()
    method = fields.String()
    gateway = fields.String()
    status = fields.String()
    amount = fields.Integer(metadata={"description": "IDR"})
    currency = fields.String()
    refund_amount = fields.Integer(allow_none=True)
    invoice_number = fields.String(allow_none=True)
    due_date = fields.Date(allow_none=True)
    created_at = fields.AwareDateTime()
    paid_at = fields.AwareDateTime(allow_none=True)


class EnrolmentSummary(Schema):
    """An enrolment in a list."""

    id = fields.String()
    session_id = fields.String()
    sme_id = fields.String()
    provider_id = fields.String()
    module_code = fields.String()
    status = fields.String(metadata={"description": " | ".join(lifecycle.ENROLMENT.states)})
    participants_count = fields.Integer()
    managers = fields.Integer()
    workers = fields.Integer()
    women = fields.Integer()
    men = fields.Integer()
    price_per_participant = fields.Integer(metadata={"description": "IDR, the price snapshot"})
    amount_due = fields.Integer(metadata={"description": "IDR: participants × price"})
    sme_share = fields.Integer(metadata={
        "description": "IDR the SME pays: amount_due - sponsor_share"})
    sponsor_share = fields.Integer(metadata={
        "description": "IDR sponsors pay, quoted by sponsorship when the SME asked to pay "
                       "(0 before, and when sponsorship did not answer)"})
    reservation_id = fields.String(allow_none=True, metadata={
        "description": "sponsorship's reservation of sponsor_share (null: no sponsor pays)"})
    payment_method = fields.String(allow_none=True)
    expires_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "when unpaid seats are released (null once confirmed or closed)"})
    status_reason = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class EnrolmentOut(EnrolmentSummary):
    """An enrolment with its team and payments."""

    waitlist_entry_id = fields.String(allow_none=True, metadata={
        "description": "the waitlist entry it was offered from"})
    confirmed_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    participants = fields.List(fields.Nested(ParticipantOut))
    payments = fields.List(fields.Nested(PaymentSummary))


class EnrolmentPage(Schema):
    """One page of enrolments, newest first; pass ``next_cursor`` as ``cursor`` for the next."""

    items = fields.List(fields.Nested(EnrolmentSummary))
    next_cursor = fields.String(allow_none=True)
    limit = fields.Integer()


class SessionEnrolmentArgs(PageArgs):
    """Filters of a session's enrolments."""

    status = fields.String(validate=validate.OneOf(lifecycle.ENROLMENT.states))
    sme_id = Trimmed(validate=validate.Length(1, 36))


class EnrolmentListArgs(SessionEnrolmentArgs):
    """Filters of the enrolments the caller may see (all combine with AND)."""

    session_id = Trimmed(validate=validate.Length(1, 36))
