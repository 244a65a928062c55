"""Consultancy visits: a trainer's on-site work with an enrolled enterprise's improvement team.

SCORE follows the classroom with visits to each enterprise; the course says how
many (``consultancy_visits`` of the session). The session's provider staff or
its trainers schedule a visit with one of the session's trainers, reschedule or
cancel it, and record it once it took place (date, duration, topics, team
members present, actions agreed) – ``visit.recorded`` carries the progress,
visits recorded of visits required. Visits belong to confirmed or completed
enrolments (they go on after the classroom days).

Recording locks the enrolment row first, so two visits of one enterprise
recorded at once each announce the right count.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.enrolment import events, lifecycle, rules
from services.enrolment.models import Enrolment, OfferedSession, Visit
from services.enrolment.service import delivery
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.errors import NotFound, ValidationFailed
from shared.events import publish
from shared.persistence import load


def schedule(db: Database, principal: Principal, enrolment_id: str,
             data: dict[str, Any]) -> Visit:
    """Plan a visit to the enterprise with one of the session's trainers."""
    with db.transaction() as session:
        enrolment, offered = delivery.deliverable(session, principal, enrolment_id)
        enrolment.ensure_status(*delivery.ATTENDING)
        _check(rules.merge(_trainer_errors(offered, data["trainer_id"]),
                           rules.visit_date_errors("scheduled_on", data["scheduled_on"],
                                                   offered.start_date, clock.today(),
                                                   done=False)))
        visit = Visit(enrolment_id=enrolment.id, session_id=enrolment.session_id,
                      sme_id=enrolment.sme_id, provider_id=enrolment.provider_id,
                      trainer_id=data["trainer_id"], scheduled_on=data["scheduled_on"],
                      created_by=principal.subject)
        session.add(visit)
        session.flush()
        return visit


def reschedule(db: Database, principal: Principal, visit_id: str,
               changes: dict[str, Any]) -> Visit:
    """Move a scheduled visit to another day, or to another of the session's trainers."""
    with db.transaction() as session:
        visit, _enrolment, offered = _visit(session, principal, visit_id)
        lifecycle.VISIT.next(visit.status, "reschedule")
        on: dt.date = changes.get("scheduled_on", visit.scheduled_on)
        trainer = changes.get("trainer_id", visit.trainer_id)
        _check(rules.merge(_trainer_errors(offered, trainer),
                           rules.visit_date_errors("scheduled_on", on, offered.start_date,
                                                   clock.today(), done=False)))
        visit.transition("reschedule")
        visit.scheduled_on, visit.trainer_id = on, trainer
        return visit


def record(db: Database, principal: Principal, visit_id: str, data: dict[str, Any]) -> Visit:
    """The visit took place: what was done, who was there, what was agreed."""
    with db.transaction() as session:
        visit, enrolment, offered = _visit(session, principal, visit_id)
        lifecycle.VISIT.next(visit.status, "record")
        team = {p.id for p in enrolment.participants}
        strangers = sorted(set(data["members_present"]) - team)
        _check(rules.merge(
            rules.visit_date_errors("visited_on", data["visited_on"], offered.start_date,
                                    clock.today(), done=True),
            {"members_present": ["not participants of this enrolment: " + ", ".join(strangers)]}
            if strangers else {}))
        visit.transition("record")
        visit.visited_on, visit.duration_minutes = data["visited_on"], data["duration_minutes"]
        visit.topics, visit.actions_agreed = list(data["topics"]), list(data["actions_agreed"])
        visit.members_present = sorted(set(data["members_present"]))
        visit.recorded_by, visit.recorded_at = principal.subject, clock.now()
        session.flush()
        recorded = recorded_count(session, enrolment.id)
        publish(session, events.VISIT_RECORDED, visit.id, events.visit_payload(
            visit, enrolment.module_code, recorded, offered.consultancy_visits,
            principal.subject), providerid=visit.provider_id)
        return visit


def cancel(db: Database, principal: Principal, visit_id: str, reason: str) -> Visit:
    """Call off a scheduled visit (a recorded one stays on the record)."""
    with db.transaction() as session:
        visit, _enrolment, _offered = _visit(session, principal, visit_id)
        visit.transition("cancel")
        visit.cancel_reason = reason
        return visit


def get_visit(db: Database, principal: Principal, visit_id: str) -> Visit:
    """One visit (whoever may read its enrolment)."""
    with db.reading() as session:
        visit = load(session, Visit, visit_id, entity="visit")
        delivery.readable(session, principal, visit.enrolment_id)
        return visit


def list_visits(db: Database, principal: Principal, enrolment_id: str) -> dict[str, Any]:
    """An enrolment's visits (in date order) and its progress: recorded of required."""
    with db.reading() as session:
        enrolment, offered = delivery.readable(session, principal, enrolment_id)
        visits = session.scalars(select(Visit).where(Visit.enrolment_id == enrolment.id)
                                 .order_by(Visit.scheduled_on, Visit.created_at)).all()
        return {"enrolment_id": enrolment.id,
                "visits_recorded": sum(1 for v in visits if v.status == "recorded"),
                "visits_required": offered.consultancy_visits, "items": list(visits)}


def recorded_count(session: Session, enrolment_id: str) -> int:
    """Visits of the enrolment that took place."""
    return session.scalar(select(func.count()).select_from(Visit).where(
        Visit.enrolment_id == enrolment_id, Visit.status == "recorded")) or 0


def _visit(session: Session, principal: Principal,
           visit_id: str) -> tuple[Visit, Enrolment, OfferedSession]:
    """The visit to change, locked after its enrolment (the caller delivers the session)."""
    enrolment_id = session.scalar(select(Visit.enrolment_id).where(Visit.id == visit_id))
    if enrolment_id is None:
        raise NotFound("no such visit")
    enrolment, offered = delivery.deliverable(session, principal, enrolment_id)
    visit = load(session, Visit, visit_id, lock=True, entity="visit")
    return visit, enrolment, offered


def _trainer_errors(offered: OfferedSession, trainer_id: str) -> dict[str, list[str]]:
    if trainer_id in offered.trainer_ids():
        return {}
    return {"trainer_id": ["not a trainer of this session"]}


def _check(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed("the visit is not valid", errors=errors)
