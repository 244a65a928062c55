"""Schemas of delivery: attendance sheets, closing a session's attendance, consultancy visits."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.fields import bounded_int, text

MAX_TEAM = 50  # far above any team policy: a bound for the request, not the rule
MAX_ITEMS = 20


class AttendanceIn(Schema):
    """One classroom day of a team: who was present (everyone else was absent)."""

    present = fields.List(fields.String(validate=validate.Length(1, 36)), required=True,
                          validate=validate.Length(max=MAX_TEAM), metadata={
                              "description": "ids of the participants present (the others of "
                                             "the team are recorded absent)"})


class DayOut(Schema):
    """A participant on one classroom day."""

    day = fields.Integer()
    present = fields.Boolean(allow_none=True, metadata={"description": "null: not recorded"})


class ParticipantAttendanceOut(Schema):
    """One participant's row of the sheet."""

    participant_id = fields.String()
    full_name = fields.String()
    gender = fields.String()
    role = fields.String()
    days = fields.List(fields.Nested(DayOut))
    days_present = fields.Integer()
    completed = fields.Boolean(allow_none=True, metadata={
        "description": "null until the session's attendance is closed"})


class TeamAttendanceOut(Schema):
    """One enrolment's rows."""

    enrolment_id = fields.String()
    session_id = fields.String()
    sme_id = fields.String()
    status = fields.String()
    participants = fields.List(fields.Nested(ParticipantAttendanceOut))


class AttendanceSheetOut(TeamAttendanceOut):
    """An enrolment's attendance sheet: participants × classroom days."""

    classroom_days = fields.Integer()
    days_required = fields.Integer(metadata={
        "description": "classroom days a participant attends to complete"})


class SessionTeamAttendanceOut(TeamAttendanceOut):
    """One team of the session's sheet."""

    sme_name = fields.String()


class SessionAttendanceOut(Schema):
    """A session's attendance: every confirmed or completed team."""

    session_id = fields.String()
    classroom_days = fields.Integer()
    days_required = fields.Integer()
    enrolments = fields.List(fields.Nested(SessionTeamAttendanceOut))


class AttendanceClosedOut(Schema):
    """What closing a session's attendance did (nothing, the second time)."""

    session_id = fields.String()
    enrolments_completed = fields.Integer()
    participants_completed = fields.Integer()
    participants_not_completed = fields.Integer()


class VisitIn(Schema):
    """A consultancy visit to plan."""

    scheduled_on = fields.Date(required=True, metadata={
        "description": "today or later, on or after the session's start"})
    trainer_id = text(1, 64, required=True, metadata={
        "description": "one of the session's trainers"})


class VisitPatch(Schema):
    """Reschedule a planned visit: another day and/or another of the session's trainers."""

    scheduled_on = fields.Date()
    trainer_id = text(1, 64)


class VisitRecordIn(Schema):
    """What happened on a visit."""

    visited_on = fields.Date(required=True, metadata={
        "description": "not in the future, on or after the session's start"})
    duration_minutes = bounded_int(15, 720, required=True)
    topics = fields.List(text(2, 200), required=True, validate=validate.Length(1, MAX_ITEMS))
    members_present = fields.List(
        fields.String(validate=validate.Length(1, 36)), required=True,
        validate=validate.Length(1, MAX_TEAM),
        metadata={"description": "ids of the enrolment's participants who took part"})
    actions_agreed = fields.List(text(2, 500), load_default=list,
                                 validate=validate.Length(max=MAX_ITEMS))


class VisitCancelIn(Schema):
    """Why a planned visit is called off."""

    reason = text(3, 500, required=True)


class VisitOut(Schema):
    """A consultancy visit."""

    id = fields.String()
    enrolment_id = fields.String()
    session_id = fields.String()
    sme_id = fields.String()
    provider_id = fields.String()
    trainer_id = fields.String()
    status = fields.String(metadata={"description": "scheduled, recorded or cancelled"})
    scheduled_on = fields.Date()
    visited_on = fields.Date(allow_none=True)
    duration_minutes = fields.Integer(allow_none=True)
    topics = fields.List(fields.String())
    members_present = fields.List(fields.String())
    actions_agreed = fields.List(fields.String())
    cancel_reason = fields.String(allow_none=True)
    created_by = fields.String()
    recorded_by = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    recorded_at = fields.AwareDateTime(allow_none=True)


class VisitsOut(Schema):
    """An enrolment's visits and its progress."""

    enrolment_id = fields.String()
    visits_recorded = fields.Integer()
    visits_required = fields.Integer(metadata={"description": "the course's consultancy visits"})
    items = fields.List(fields.Nested(VisitOut))

