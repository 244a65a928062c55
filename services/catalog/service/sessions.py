"""Session use cases: create, edit, publish, start, complete, cancel; reads with visibility.

A session names registered trainers only (the trainers read model,
:mod:`services.catalog.service.trainers`); once published its lead must be
certified for its module, unless ``require_certified_lead`` is off (setting
``SCORE_CATALOG_REQUIRE_CERTIFIED_LEAD``, passed in by the views).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from services.catalog import access, events, reference, rules, search
from services.catalog.models import Course, Provider, TrainingSession
from services.catalog.service import trainers as known_trainers
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.errors import NotFound, ValidationFailed
from shared.events import publish
from shared.persistence import load

_EVENTS = {
    "publish": events.SESSION_PUBLISHED,
    "start": events.SESSION_STARTED,
    "complete": events.SESSION_COMPLETED,
    "cancel": events.SESSION_CANCELLED,
}
PUBLIC_STATUSES = {"published", "in_progress", "completed", "cancelled"}
_PLAIN = ("start_date", "end_date", "enrolment_deadline", "venue_address", "ilo_supervised",
          "estimated_delivery_cost")


def create_session(db: Database, principal: Principal, provider_id: str,
                   data: dict[str, Any]) -> TrainingSession:
    """A draft session of one of the provider's courses."""
    access.require_staff_of(principal, provider_id)
    with db.transaction() as session:
        course = session.get(Course, data["course_id"])
        errors = {}
        if course is None or course.provider_id != provider_id:
            errors["course_id"] = ["no such course of this provider"]
        elif course.status == "archived":
            errors["course_id"] = ["the course is archived"]
        province, province_errors = _province(session, data["province_code"])
        errors = rules.merge(errors, province_errors, rules.session_date_errors(
            data["start_date"], data["end_date"], data["enrolment_deadline"]),
            rules.trainer_errors(data["trainers"], publishing=False))
        if course is not None:
            errors = rules.merge(errors, known_trainers.trainer_errors(
                session, data["trainers"], course.module_code, lead_must_be_certified=False))
        if errors or course is None:
            raise ValidationFailed("the session is not valid", errors=errors)
        ts = TrainingSession(course=course, provider_id=provider_id,
                             module_code=course.module_code, province_code=province,
                             city=data["city"], city_key=rules.city_key(data["city"]),
                             capacity=data["capacity"],
                             **{k: data[k] for k in _PLAIN})
        ts.set_trainers(data["trainers"])
        session.add(ts)
        session.flush()
        return ts


def update_session(db: Database, principal: Principal, session_id: str,
                   changes: dict[str, Any], *,
                   require_certified_lead: bool = True) -> TrainingSession:
    """Edit a draft or published session; a published one announces the change.

    New trainers must be registered; a published session's new lead certified.
    """
    with db.transaction() as session:
        ts = load(session, TrainingSession, session_id, lock=True)
        access.require_staff_of(principal, ts.provider_id)
        ts.ensure_editable()
        before = events.session_payload(ts, principal.subject)
        errors = _date_errors(ts, changes)
        if "province_code" in changes:
            province, province_errors = _province(session, changes["province_code"])
            errors = rules.merge(errors, province_errors)
        if "trainers" in changes:
            errors = rules.merge(errors, known_trainers.trainer_errors(
                session, changes["trainers"], ts.module_code,
                lead_must_be_certified=require_certified_lead and ts.status != "draft"))
        if errors:
            raise ValidationFailed("the session is not valid", errors=errors)
        for name in _PLAIN:
            if name in changes:
                setattr(ts, name, changes[name])
        if "province_code" in changes and province is not None:
            ts.province_code = province
        if "city" in changes:
            ts.city, ts.city_key = changes["city"], rules.city_key(changes["city"])
        if "capacity" in changes:
            ts.set_capacity(changes["capacity"])
        if "trainers" in changes:
            ts.set_trainers(changes["trainers"])
        after = events.session_payload(ts, principal.subject)
        if after != before:
            session.flush()
            if ts.status != "draft":
                publish(session, events.SESSION_UPDATED, ts.id, after, providerid=ts.provider_id)
        return ts


def publish_session(db: Database, principal: Principal, session_id: str, *,
                    require_certified_lead: bool = True) -> TrainingSession:
    """Open a draft session for enrolment, freezing the course price into it.

    Its trainers must be registered, and its lead certified for the session's module
    unless ``require_certified_lead`` is off.
    """
    return _transition(db, principal, session_id, "publish",
                       require_certified_lead=require_certified_lead)


def start_session(db: Database, principal: Principal, session_id: str) -> TrainingSession:
    """Mark a published session as being delivered (on or after its start date)."""
    return _transition(db, principal, session_id, "start")


def complete_session(db: Database, principal: Principal, session_id: str) -> TrainingSession:
    """Mark a session in progress as delivered (on or after its end date)."""
    return _transition(db, principal, session_id, "complete")


def cancel_session(db: Database, principal: Principal, session_id: str,
                   reason: str) -> TrainingSession:
    """Call off a session that has not completed."""
    return _transition(db, principal, session_id, "cancel", reason)


def _transition(db, principal, session_id, action, reason=None, *,
                require_certified_lead: bool = True) -> TrainingSession:
    with db.transaction() as session:
        ts = load(session, TrainingSession, session_id, lock=True)
        access.require_staff_of(principal, ts.provider_id)
        if action == "publish":
            ts.publish(clock.today(), clock.now())
            # After the entity's own checks (state, dates, one lead); the rollback undoes it.
            errors = known_trainers.trainer_errors(
                session, ts.trainer_list(), ts.module_code,
                lead_must_be_certified=require_certified_lead)
            if errors:
                raise ValidationFailed("the session cannot be published yet", errors=errors)
        elif action == "cancel":
            ts.cancel(reason)
        else:
            getattr(ts, action)(clock.today())
        session.flush()
        publish(session, _EVENTS[action], ts.id, events.session_payload(ts, principal.subject),
                providerid=ts.provider_id)
        return ts


def get_session(db: Database, principal: Principal | None, session_id: str) -> TrainingSession:
    """A session the caller may see, with course, provider and trainers (else 404)."""
    with db.reading() as session:
        ts = session.get(TrainingSession, session_id)
        if ts is None or not access.published_visible(
                principal, ts.course.provider, ts.published_at):
            raise NotFound("no such session")
        return ts


def list_sessions(db: Database, principal: Principal | None, provider_id: str,
                  args: dict[str, Any]) -> dict[str, Any]:
    """A page of a provider's sessions; drafts only for its staff and auditors."""
    with db.reading() as session:
        provider = session.get(Provider, provider_id)
        if provider is None or not access.provider_visible(principal, provider):
            raise NotFound("no such provider")
    access.require_private_filter(principal, provider_id, args.get("status"), PUBLIC_STATUSES)
    return search.provider_sessions(db, provider_id, args,
                                    private=access.sees_private(principal, provider_id))


def _province(session: Session, code: str) -> tuple[str | None, dict]:
    try:
        return reference.require_provinces(session, [code], "province_code")[0].bps_code, {}
    except ValidationFailed as exc:
        return None, exc.errors


def _date_errors(ts: TrainingSession, changes: dict) -> dict:
    """Dates after the change must be consistent; a published one must not move to the past."""
    start = changes.get("start_date", ts.start_date)
    end = changes.get("end_date", ts.end_date)
    deadline = changes.get("enrolment_deadline", ts.enrolment_deadline)
    errors = rules.session_date_errors(start, end, deadline)
    if ts.status == "published":
        moved = {k for k in ("start_date", "enrolment_deadline")
                 if k in changes and changes[k] != getattr(ts, k)}
        late = rules.publishable_date_errors(start, deadline, clock.today())
        errors = rules.merge(errors, {k: v for k, v in late.items() if k in moved})
    return errors
