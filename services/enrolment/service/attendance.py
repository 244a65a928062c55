"""Classroom attendance: who of a team was there on each classroom day.

The session's provider staff or one of its trainers records a day for a
confirmed enrolment as the list of participants present (the rest of the team
is absent). A day recorded again overwrites the earlier record – one mark per
participant and day, created or changed, never duplicated – and announces
``attendance.recorded`` only when something changed, so repeating a request
is harmless. Sheets (participants × days) are read by the enrolment's readers
and, for a whole session, by its provider, trainers, auditors and admins.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.enrolment import events, rules
from services.enrolment.config import EnrolmentPolicy
from services.enrolment.models import AttendanceMark, Enrolment, OfferedSession, Sme
from services.enrolment.service import delivery
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.errors import ValidationFailed
from shared.events import publish


def record_day(db: Database, principal: Principal, policy: EnrolmentPolicy,
               enrolment_id: str, day: int, present: Iterable[str]) -> dict[str, Any]:
    """Record classroom day ``day`` of a confirmed enrolment; returns its sheet."""
    present_ids = set(present)
    with db.transaction() as session:
        enrolment, offered = delivery.deliverable(session, principal, enrolment_id)
        enrolment.ensure_status("confirmed")
        team = {p.id for p in enrolment.participants}
        errors = rules.merge(
            rules.attendance_day_errors(day, offered.classroom_days, offered.start_date,
                                        clock.today()),
            {"present": ["not participants of this enrolment: "
                         + ", ".join(sorted(present_ids - team))]}
            if present_ids - team else {})
        if errors:
            raise ValidationFailed("the attendance cannot be recorded", errors=errors)
        if _mark(session, enrolment, day, present_ids, actor=principal.subject):
            ordered = [p.id for p in enrolment.participants]
            publish(session, events.ATTENDANCE_RECORDED, enrolment.id, events.attendance_payload(
                enrolment, day, [i for i in ordered if i in present_ids],
                [i for i in ordered if i not in present_ids], principal.subject),
                providerid=enrolment.provider_id)
        return sheet(session, enrolment, offered, policy)


def enrolment_sheet(db: Database, principal: Principal, policy: EnrolmentPolicy,
                    enrolment_id: str) -> dict[str, Any]:
    """An enrolment's attendance sheet (anyone who may read the enrolment)."""
    with db.reading() as session:
        enrolment, offered = delivery.readable(session, principal, enrolment_id)
        return sheet(session, enrolment, offered, policy)


def session_sheet(db: Database, principal: Principal, policy: EnrolmentPolicy,
                  session_id: str) -> dict[str, Any]:
    """The sheet of every confirmed or completed team of a session."""
    with db.reading() as session:
        offered = delivery.session_sheet_reader(session, principal, session_id)
        enrolments = session.scalars(select(Enrolment).where(
            Enrolment.session_id == session_id, Enrolment.status.in_(delivery.ATTENDING))
            .order_by(Enrolment.created_at, Enrolment.id)).all()
        marks = marks_by_participant(session, [e.id for e in enrolments])
        names = {sme_id: name for sme_id, name in session.execute(
            select(Sme.id, Sme.legal_name).where(Sme.id.in_({e.sme_id for e in enrolments})))}
        return {"session_id": offered.id, "classroom_days": offered.classroom_days,
                "days_required": _required(offered, policy),
                "enrolments": [{**_sheet(e, offered, marks, policy), "sme_name": names[e.sme_id]}
                               for e in enrolments]}


def sheet(session: Session, enrolment: Enrolment, offered: OfferedSession,
          policy: EnrolmentPolicy) -> dict[str, Any]:
    """The attendance sheet of one enrolment: each participant's days and outcome."""
    marks = marks_by_participant(session, [enrolment.id])
    return {**_sheet(enrolment, offered, marks, policy), "classroom_days": offered.classroom_days,
            "days_required": _required(offered, policy)}


def marks_by_participant(session: Session,
                         enrolment_ids: list[str]) -> dict[str, dict[int, bool]]:
    """participant id → {day: present} of the given enrolments."""
    found: dict[str, dict[int, bool]] = {}
    rows = session.execute(select(AttendanceMark.participant_id, AttendanceMark.day,
                                  AttendanceMark.present)
                           .where(AttendanceMark.enrolment_id.in_(enrolment_ids)))
    for participant_id, day, present in rows:
        found.setdefault(participant_id, {})[day] = present
    return found


def days_present(days: dict[int, bool], classroom_days: int) -> int:
    """Classroom days (1..``classroom_days``) a participant was marked present."""
    return sum(1 for day, present in days.items() if present and 1 <= day <= classroom_days)


def _mark(session: Session, enrolment: Enrolment, day: int, present: set[str], *,
          actor: str) -> bool:
    existing = {m.participant_id: m for m in session.scalars(select(AttendanceMark).where(
        AttendanceMark.enrolment_id == enrolment.id, AttendanceMark.day == day))}
    changed = False
    for participant in enrolment.participants:
        here = participant.id in present
        mark = existing.get(participant.id)
        if mark is None:
            session.add(AttendanceMark(participant_id=participant.id, day=day,
                                       enrolment_id=enrolment.id,
                                       session_id=enrolment.session_id, present=here,
                                       recorded_by=actor))
            changed = True
        elif mark.present != here:
            mark.present, mark.recorded_by = here, actor
            changed = True
    return changed


def _sheet(enrolment: Enrolment, offered: OfferedSession, marks: dict[str, dict[int, bool]],
           policy: EnrolmentPolicy) -> dict[str, Any]:
    days = range(1, offered.classroom_days + 1)
    participants = []
    for participant in enrolment.participants:
        own = marks.get(participant.id, {})
        participants.append({
            "participant_id": participant.id, "full_name": participant.full_name,
            "gender": participant.gender, "role": participant.role,
            "days": [{"day": day, "present": own.get(day)} for day in days],
            "days_present": days_present(own, offered.classroom_days),
            "completed": participant.completed})
    return {"enrolment_id": enrolment.id, "session_id": enrolment.session_id,
            "sme_id": enrolment.sme_id, "status": enrolment.status,
            "participants": participants}


def _required(offered: OfferedSession, policy: EnrolmentPolicy) -> int:
    return rules.attendance_required(offered.classroom_days,
                                     policy.completion_min_attendance_percent)
