"""Course use cases: create, edit, publish, archive; reads with visibility."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from services.catalog import access, events, reference
from services.catalog.models import Course, Provider
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.errors import Conflict, NotFound
from shared.events import publish
from shared.persistence import assign, load, unique_violation

PUBLIC_STATUSES = {"published", "archived"}
DUPLICATE = "this provider already offers a course with this title for the module"


def create_course(db: Database, principal: Principal, provider_id: str,
                  data: dict[str, Any]) -> Course:
    """A draft course of the caller's provider."""
    access.require_staff_of(principal, provider_id)
    with db.transaction() as session:
        provider = load(session, Provider, provider_id)
        module = reference.require_module(session, data["module_code"])
        _refuse_duplicate_titles(session, provider_id, module.code, data, None)
        course = Course(**data, provider=provider, module=module)
        session.add(course)
        with unique_violation(DUPLICATE, {"title_id": [DUPLICATE]}):
            session.flush()
        return course


def update_course(db: Database, principal: Principal, course_id: str,
                  changes: dict[str, Any]) -> Course:
    """Edit a draft or published course; a published one announces the change."""
    with db.transaction() as session:
        course = load(session, Course, course_id, lock=True)
        access.require_staff_of(principal, course.provider_id)
        course.ensure_editable()
        _refuse_duplicate_titles(session, course.provider_id, course.module_code, changes,
                                 course.id)
        if not assign(course, changes):
            return course
        with unique_violation(DUPLICATE, {"title_id": [DUPLICATE]}):
            session.flush()
        if course.status == "published":
            publish(session, events.COURSE_UPDATED, course.id,
                    events.course_payload(course, principal.subject),
                    providerid=course.provider_id)
        return course


def publish_course(db: Database, principal: Principal, course_id: str) -> Course:
    """Offer a draft course publicly (approved providers only)."""
    return _transition(db, principal, course_id, "publish")


def archive_course(db: Database, principal: Principal, course_id: str) -> Course:
    """Withdraw a course: no new sessions; published sessions run on."""
    return _transition(db, principal, course_id, "archive")


def _transition(db, principal, course_id, action) -> Course:
    with db.transaction() as session:
        course = load(session, Course, course_id, lock=True)
        access.require_staff_of(principal, course.provider_id)
        if action == "publish":
            course.publish(clock.now())
            event_type = events.COURSE_PUBLISHED
        else:
            course.archive()
            event_type = events.COURSE_ARCHIVED
        session.flush()
        publish(session, event_type, course.id, events.course_payload(course, principal.subject),
                providerid=course.provider_id)
        return course


def get_course(db: Database, principal: Principal | None, course_id: str) -> Course:
    """A course the caller may see (else 404)."""
    with db.reading() as session:
        course = session.get(Course, course_id)
        if course is None or not access.published_visible(
                principal, course.provider, course.published_at):
            raise NotFound("no such course")
        return course


def list_courses(db: Database, principal: Principal | None, provider_id: str,
                 status: str | None) -> list[Course]:
    """A provider's courses; drafts only for its staff and auditors."""
    with db.reading() as session:
        provider = session.get(Provider, provider_id)
        if provider is None or not access.provider_visible(principal, provider):
            raise NotFound("no such provider")
        access.require_private_filter(principal, provider_id, status, PUBLIC_STATUSES)
        query = select(Course).where(Course.provider_id == provider_id)
        if status is not None:
            query = query.where(Course.status == status)
        if not access.sees_private(principal, provider_id):
            query = query.where(Course.published_at.is_not(None))
        return list(session.scalars(query.order_by(Course.module_code, Course.title_en)))


def _refuse_duplicate_titles(session, provider_id, module_code, data, own_id) -> None:
    """Titles (id and en) are unique per provider and module, case-insensitively."""
    errors = {}
    for field in ("title_id", "title_en"):
        if field not in data:
            continue
        column = getattr(Course, field)
        query = select(Course.id).where(
            Course.provider_id == provider_id, Course.module_code == module_code,
            func.lower(column) == data[field].lower())
        if own_id is not None:
            query = query.where(Course.id != own_id)
        if session.scalar(query.limit(1)) is not None:
            errors[field] = [DUPLICATE]
    if errors:
        raise Conflict(DUPLICATE, errors=errors)
