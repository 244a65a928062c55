"""Waitlist entries: a team waiting for seats in a full session."""

from __future__ import annotations

from marshmallow import Schema, fields

from services.enrolment import lifecycle


class WaitingParticipant(Schema):
    """A member of a waiting team."""

    full_name = fields.String()
    gender = fields.String()
    role = fields.String()
    position = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class WaitlistEntryOut(Schema):
    """A team's place on a session's waitlist."""

    id = fields.String()
    session_id = fields.String()
    sme_id = fields.String()
    provider_id = fields.String()
    status = fields.String(metadata={"description": " | ".join(lifecycle.WAITLIST.states)})
    position = fields.Integer(allow_none=True, metadata={
        "description": "1 = next in line (null once it left the queue)"})
    participants_count = fields.Integer()
    participants = fields.List(fields.Nested(WaitingParticipant))
    enrolment_id = fields.String(allow_none=True, metadata={
        "description": "the held enrolment it was offered"})
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class WaitlistEntryList(Schema):
    """Waitlist entries."""

    items = fields.List(fields.Nested(WaitlistEntryOut))
