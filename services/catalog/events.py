"""Events the catalog publishes (topic ``score.catalog``; subject = entity id).

Every payload carries what a consumer needs without calling the catalog back:
the full current state of the entity after the change, plus who did it and
why where that applies. Payload builders live here, beside the schemas, so
each event type is built in exactly one way.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.catalog import lifecycle, rules
from services.catalog.models import Course, Provider, TrainingSession
from shared.events import EventCatalog, EventType

# ---------------------------------------------------------------- providers


class ProviderPayload(Schema):
    """A provider as of the event."""

    provider_id = fields.String(required=True)
    legal_name = fields.String(required=True)
    npwp = fields.String(required=True)
    contact_name = fields.String(required=True)
    email = fields.String(required=True)
    phone = fields.String(required=True)
    website = fields.String(required=True, allow_none=True)
    provinces_served = fields.List(fields.String(), required=True)
    status = fields.String(required=True, validate=validate.OneOf(lifecycle.PROVIDER.states))
    stripe_account_id = fields.String(required=True, allow_none=True, metadata={
        "description": "its Stripe connected account (acct_...): card payments for its "
                       "sessions are destination charges to it; null when it has none"})
    changed_by = fields.String(required=True, metadata={"description": "user id (sub)"})


class ProviderRegistered(ProviderPayload):
    """Payload of ``score.catalog.provider.registered.v1`` (identity grants membership)."""

    registered_by = fields.String(required=True, metadata={"description": "registering user"})


class ProviderStatusChanged(ProviderPayload):
    """Payload of ``provider.approved.v1`` / ``provider.suspended.v1``."""

    reason = fields.String(required=True, allow_none=True)


def provider_payload(provider: Provider, actor: str) -> dict:
    """The provider part of every provider event."""
    return {
        "provider_id": provider.id, "legal_name": provider.legal_name, "npwp": provider.npwp,
        "contact_name": provider.contact_name, "email": provider.email,
        "phone": provider.phone, "website": provider.website,
        "provinces_served": provider.provinces_served, "status": provider.status,
        "stripe_account_id": provider.stripe_account_id, "changed_by": actor,
    }


# ---------------------------------------------------------------- courses


class CoursePayload(Schema):
    """A course as of the event (``published`` / ``updated`` / ``archived``)."""

    course_id = fields.String(required=True)
    provider_id = fields.String(required=True)
    module_code = fields.String(required=True)
    title_id = fields.String(required=True)
    title_en = fields.String(required=True)
    description_id = fields.String(required=True)
    description_en = fields.String(required=True)
    language = fields.String(required=True, validate=validate.OneOf(rules.LANGUAGES))
    classroom_days = fields.Integer(required=True, strict=True)
    consultancy_visits = fields.Integer(required=True, strict=True)
    price_per_participant = fields.Integer(required=True, strict=True)
    max_participants_per_enterprise = fields.Integer(required=True, strict=True)
    status = fields.String(required=True, validate=validate.OneOf(lifecycle.COURSE.states))
    changed_by = fields.String(required=True)


def course_payload(course: Course, actor: str) -> dict:
    """Payload of every course event."""
    return {
        "course_id": course.id, "provider_id": course.provider_id,
        "module_code": course.module_code, "title_id": course.title_id,
        "title_en": course.title_en, "description_id": course.description_id,
        "description_en": course.description_en, "language": course.language,
        "classroom_days": course.classroom_days,
        "consultancy_visits": course.consultancy_visits,
        "price_per_participant": course.price_per_participant,
        "max_participants_per_enterprise": course.max_participants_per_enterprise,
        "status": course.status, "changed_by": actor,
    }


# ---------------------------------------------------------------- sessions


class TrainerPayload(Schema):
    """One assigned trainer."""

    trainer_id = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(rules.TRAINER_ROLES))


class SessionPayload(Schema):
    """A session as of the event (every ``session.*`` type)."""

    session_id = fields.String(required=True)
    provider_id = fields.String(required=True)
    course_id = fields.String(required=True)
    module_code = fields.String(required=True)
    title_id = fields.String(required=True, metadata={"description": "course title (id)"})
    title_en = fields.String(required=True, metadata={"description": "course title (en)"})
    language = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    enrolment_deadline = fields.Date(required=True)
    venue_address = fields.String(required=True)
    city = fields.String(required=True)
    province_code = fields.String(required=True, metadata={"description": "BPS code"})
    capacity = fields.Integer(required=True, strict=True)
    price_per_participant = fields.Integer(
        required=True, strict=True, allow_none=True,
        metadata={"description": "IDR, frozen at publish; null only if never published"})
    max_participants_per_enterprise = fields.Integer(required=True, strict=True)
    trainers = fields.List(fields.Nested(TrainerPayload), required=True)
    ilo_supervised = fields.Boolean(required=True)
    estimated_delivery_cost = fields.Integer(required=True, strict=True)
    status = fields.String(required=True, validate=validate.OneOf(lifecycle.SESSION.states))
    reason = fields.String(required=True, allow_none=True)
    changed_by = fields.String(required=True)
    # Added within v1 (optional for compatibility; the catalog always sends them).
    classroom_days = fields.Integer(strict=True, metadata={
        "description": "classroom days of the course (attendance is recorded per day)"})
    consultancy_visits = fields.Integer(strict=True, metadata={
        "description": "on-site consultancy visits the course includes per enterprise"})


def session_payload(ts: TrainingSession, actor: str) -> dict:
    """Payload of every session event."""
    course = ts.course
    return {
        "session_id": ts.id, "provider_id": ts.provider_id, "course_id": ts.course_id,
        "module_code": ts.module_code, "title_id": course.title_id,
        "title_en": course.title_en, "language": course.language,
        "start_date": ts.start_date, "end_date": ts.end_date,
        "enrolment_deadline": ts.enrolment_deadline, "venue_address": ts.venue_address,
        "city": ts.city, "province_code": ts.province_code, "capacity": ts.capacity,
        "price_per_participant": ts.price_per_participant,
        "max_participants_per_enterprise": course.max_participants_per_enterprise,
        "trainers": ts.trainer_list(), "ilo_supervised": ts.ilo_supervised,
        "estimated_delivery_cost": ts.estimated_delivery_cost, "status": ts.status,
        "reason": ts.cancel_reason, "changed_by": actor,
        "classroom_days": course.classroom_days, "consultancy_visits": course.consultancy_visits,
    }


def _type(name: str, schema: type[Schema], description: str) -> EventType:
    return EventType(f"score.catalog.{name}.v1", schema, description)


PROVIDER_REGISTERED = _type("provider.registered", ProviderRegistered,
                            "A provider registered (pending approval).")
PROVIDER_UPDATED = _type("provider.updated", ProviderPayload, "A provider changed its profile.")
PROVIDER_APPROVED = _type("provider.approved", ProviderStatusChanged,
                          "A platform admin approved (or reinstated) a provider.")
PROVIDER_SUSPENDED = _type("provider.suspended", ProviderStatusChanged,
                           "A platform admin suspended a provider.")
COURSE_PUBLISHED = _type("course.published", CoursePayload, "A course was published.")
COURSE_UPDATED = _type("course.updated", CoursePayload, "A published course changed.")
COURSE_ARCHIVED = _type("course.archived", CoursePayload, "A course was archived.")
SESSION_PUBLISHED = _type("session.published", SessionPayload,
                          "A session opened for enrolment (price frozen).")
SESSION_UPDATED = _type("session.updated", SessionPayload, "A published session changed.")
SESSION_CANCELLED = _type("session.cancelled", SessionPayload, "A session was cancelled.")
SESSION_STARTED = _type("session.started", SessionPayload, "A session's delivery began.")
SESSION_COMPLETED = _type("session.completed", SessionPayload, "A session was delivered.")

EVENTS = EventCatalog([
    PROVIDER_REGISTERED, PROVIDER_UPDATED, PROVIDER_APPROVED, PROVIDER_SUSPENDED,
    COURSE_PUBLISHED, COURSE_UPDATED, COURSE_ARCHIVED,
    SESSION_PUBLISHED, SESSION_UPDATED, SESSION_CANCELLED, SESSION_STARTED, SESSION_COMPLETED,
])
