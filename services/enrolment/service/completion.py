"""Closing a session's attendance: who completed the training, and the enrolments completed.

Two triggers, one rule. When catalog announces ``session.completed``
(:func:`on_session_completed`), or when the provider's staff close the
attendance themselves (:func:`close_attendance`), every *confirmed* enrolment of
the session becomes ``completed`` and each of its participants ``completed``
True or False: present on at least ``completion_min_attendance_percent`` of
the classroom days (:func:`rules.participant_completed`). ``enrolment.completed``
carries every participant's outcome – certification issues participation
certificates from it.

Closing twice changes nothing: a completed enrolment is never completed again
(the lifecycle), so the second trigger finds no confirmed enrolment left.
Enrolments still held or awaiting payment are left to expire (the reaper).

Lock order (PostgreSQL): :func:`close_attendance` locks the enrolment rows only.
The handler's follow-up runs after the read model locked the session row, so
:func:`sessions.apply_session` has to lock a completing session's open enrolments
first (as it does for a cancelled one) to keep the service's order: enrolments,
then the session.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.enrolment import events, rules
from services.enrolment.config import EnrolmentPolicy, current_policy
from services.enrolment.models import Enrolment, KnownProvider, OfferedSession, Sme
from services.enrolment.service import attendance, delivery
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.errors import Conflict
from shared.events import publish

CATALOG = "system:catalog"


def close_attendance(db: Database, principal: Principal, policy: EnrolmentPolicy,
                     session_id: str) -> dict[str, Any]:
    """The provider closes a session's attendance once its last classroom day has come."""
    with db.transaction() as session:
        offered = delivery.session_of_provider(session, principal, session_id)
        if offered.status == "cancelled":
            raise Conflict("the session was cancelled", errors={"status": ["cancelled"]})
        if clock.today() < offered.end_date:
            raise Conflict(f"the session runs until {offered.end_date.isoformat()}",
                           errors={"end_date": ["attendance closes on or after the last "
                                                "classroom day"]})
        completed = complete_enrolments(session, offered, actor=principal.subject,
                                        policy=policy)
        return summary(offered, completed)


def on_session_completed(session: Session, offered: OfferedSession, event) -> None:
    """Catalog delivered a session (the read model has it): its attendance closes.

    A follow-up of ``session.completed`` (``handlers.FOLLOW_UPS``), in the inbox
    transaction after the read model took the event.
    """
    del event  # the read model row says all we need
    if offered.status == "completed":
        complete_enrolments(session, offered, actor=CATALOG, policy=current_policy())


def complete_enrolments(session: Session, offered: OfferedSession, *, actor: str,
                        policy: EnrolmentPolicy) -> list[Enrolment]:
    """Complete every confirmed enrolment of ``offered`` by the completion rule."""
    enrolments = _confirmed(session, offered.id)
    marks = attendance.marks_by_participant(session, [e.id for e in enrolments])
    for enrolment in enrolments:
        outcomes = []
        for participant in enrolment.participants:
            present = attendance.days_present(marks.get(participant.id, {}),
                                              offered.classroom_days)
            participant.completed = rules.participant_completed(
                present, offered.classroom_days, policy.completion_min_attendance_percent)
            outcomes.append({"participant_id": participant.id,
                             "full_name": participant.full_name, "gender": participant.gender,
                             "role": participant.role, "days_present": present,
                             "completed": participant.completed})
        enrolment.transition("complete", actor=actor, now=clock.now())
        sme = session.get(Sme, enrolment.sme_id)
        assert sme is not None  # foreign key
        provider = session.get(KnownProvider, enrolment.provider_id)
        publish(session, events.ENROLMENT_COMPLETED, enrolment.id,
                events.completed_payload(enrolment, offered, sme, outcomes, actor,
                                         provider.legal_name if provider else None),
                providerid=enrolment.provider_id)
    return enrolments


def summary(offered: OfferedSession, completed: list[Enrolment]) -> dict[str, Any]:
    """What a close did: enrolments completed, participants who did and did not complete."""
    people = [p for e in completed for p in e.participants]
    return {"session_id": offered.id, "enrolments_completed": len(completed),
            "participants_completed": sum(1 for p in people if p.completed),
            "participants_not_completed": sum(1 for p in people if not p.completed)}


def _confirmed(session: Session, session_id: str) -> list[Enrolment]:
    return list(session.scalars(select(Enrolment).where(
        Enrolment.session_id == session_id, Enrolment.status == "confirmed")
        .order_by(Enrolment.id).with_for_update()))
