"""Request and response schemas of the catalog API (marshmallow 4).

Requests: per-field rules here (lengths, ranges, formats → 422 with field
errors); rules needing the database or several fields (dates, reference codes,
uniqueness) are the domain's. Query-string errors become 400.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.catalog import rules
from shared.fields import (
    NPWP_FORMAT,
    PHONE,
    Npwp,
    StrictBoolean,
    Trimmed,
    bounded_int,
    patch_of,
    text,
)

MAX_PRICE = 1_000_000_000  # IDR per participant
MAX_COST = 1_000_000_000_000  # IDR per session
# What the reference data holds (GET /modules, GET /provinces), for the OpenAPI document.
MODULE_CODE = {"pattern": r"^M[1-5]$", "description": "a SCORE module: M1 to M5"}
PROVINCE_CODE = {"pattern": r"^([0-9]{2}|[Ii][Dd]-[A-Za-z]{2})$",
                 "description": "a province by BPS code (32) or ISO 3166-2:ID code (ID-JB)"}


# ------------------------------------------------------------------ requests


class ProviderIn(Schema):
    """A provider's registration."""

    legal_name = text(2, 200, required=True)
    npwp = Npwp(required=True, metadata=NPWP_FORMAT)
    contact_name = text(2, 120, required=True)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    phone = Trimmed(required=True, validate=PHONE)
    address = text(5, 500, required=True)
    provinces_served = fields.List(
        Trimmed(validate=validate.Length(2, 5), metadata=PROVINCE_CODE), required=True,
        validate=validate.Length(1, 38), metadata={"description": "BPS or ISO codes"})
    description = text(0, 4000, load_default="")
    website = fields.URL(schemes={"http", "https"}, validate=validate.Length(max=300),
                         allow_none=True, load_default=None)


# The NPWP identifies the taxpayer: a different one is a different provider.
ProviderPatch = patch_of(ProviderIn, "ProviderPatch", "Changes to a provider's profile.",
                         exclude=("npwp",))


class StripeAccountIn(Schema):
    """A provider's Stripe connected account, or null to stop destination charges."""

    stripe_account_id = fields.String(
        required=True, allow_none=True,
        validate=[validate.Length(6, 255), validate.Regexp(rules.STRIPE_ACCOUNT_PATTERN)],
        metadata={"pattern": rules.STRIPE_ACCOUNT_PATTERN,
                  "description": "the id Stripe gave the connected account (acct_...)"})


class StripeAccountOut(Schema):
    """A provider's Stripe connected account (platform admins, auditors, its own staff)."""

    provider_id = fields.String()
    stripe_account_id = fields.String(allow_none=True)


class ApproveIn(Schema):
    """An approval, with an optional note."""

    reason = text(0, 500, allow_none=True, load_default=None)


class ReasonIn(Schema):
    """Why (required for suspensions and cancellations)."""

    reason = text(3, 500, required=True)


class CourseIn(Schema):
    """A course offering one SCORE module."""

    module_code = Trimmed(required=True, validate=validate.Length(2, 4), metadata=MODULE_CODE)
    title_id = text(3, 200, required=True)
    title_en = text(3, 200, required=True)
    description_id = text(10, 5000, required=True)
    description_en = text(10, 5000, required=True)
    language = fields.String(required=True, validate=validate.OneOf(rules.LANGUAGES))
    classroom_days = bounded_int(1, 10, required=True)
    consultancy_visits = bounded_int(0, 20, required=True,
                                     metadata={"description": "visits per enterprise"})
    price_per_participant = bounded_int(0, MAX_PRICE, required=True,
                                        metadata={"description": "IDR"})
    max_participants_per_enterprise = bounded_int(1, 20, load_default=4)


# A course's module never changes.
CoursePatch = patch_of(CourseIn, "CoursePatch", "Changes to a course.", exclude=("module_code",))


class TrainerIn(Schema):
    """A trainer assignment."""

    trainer_id = text(1, 64, required=True)
    role = fields.String(required=True, validate=validate.OneOf(rules.TRAINER_ROLES))


class SessionIn(Schema):
    """A session (cohort) of a course."""

    course_id = text(1, 36, required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    enrolment_deadline = fields.Date(required=True)
    venue_address = text(5, 500, required=True)
    city = text(2, 100, required=True)
    province_code = Trimmed(required=True, validate=validate.Length(2, 5), metadata=PROVINCE_CODE)
    capacity = bounded_int(1, 500, required=True, metadata={"description": "participants"})
    trainers = fields.List(fields.Nested(TrainerIn), load_default=list,
                           validate=validate.Length(max=rules.MAX_TRAINERS))
    ilo_supervised = StrictBoolean(load_default=False)
    estimated_delivery_cost = bounded_int(0, MAX_COST, required=True,
                                          metadata={"description": "IDR"})


# A session's course never changes.
SessionPatch = patch_of(SessionIn, "SessionPatch", "Changes to a session.", exclude=("course_id",))


# ------------------------------------------------------------------ responses


class ModuleOut(Schema):
    """A SCORE module."""

    code = fields.String()
    number = fields.Integer()
    name_id = fields.String()
    name_en = fields.String()
    prerequisite_code = fields.String(allow_none=True)


class ProvinceOut(Schema):
    """A province."""

    bps_code = fields.String()
    iso_code = fields.String()
    name = fields.String()


class ProviderOut(Schema):
    """A provider."""

    id = fields.String()
    legal_name = fields.String()
    npwp = fields.String()
    contact_name = fields.String()
    email = fields.String()
    phone = fields.String()
    address = fields.String()
    provinces_served = fields.List(fields.String())
    description = fields.String()
    website = fields.String(allow_none=True)
    status = fields.String()
    status_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    approved_at = fields.DateTime(allow_none=True)


class ProviderRef(Schema):
    """A provider, briefly."""

    id = fields.String()
    legal_name = fields.String()


class CourseCore(Schema):
    """A course (as embedded in a session, beside its provider)."""

    id = fields.String()
    provider_id = fields.String()
    module_code = fields.String()
    module = fields.Nested(ModuleOut)
    title_id = fields.String()
    title_en = fields.String()
    description_id = fields.String()
    description_en = fields.String()
    language = fields.String()
    classroom_days = fields.Integer()
    consultancy_visits = fields.Integer()
    price_per_participant = fields.Integer()
    max_participants_per_enterprise = fields.Integer()
    status = fields.String()
    created_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)


class CourseOut(CourseCore):
    """A course."""

    provider = fields.Nested(ProviderRef)


class CourseRef(Schema):
    """A course, briefly (embedded in session summaries)."""

    id = fields.String()
    module_code = fields.String()
    title_id = fields.String()
    title_en = fields.String()
    language = fields.String()
    classroom_days = fields.Integer()
    consultancy_visits = fields.Integer()
    max_participants_per_enterprise = fields.Integer()


class SessionSummary(Schema):
    """A session in a search result or list."""

    id = fields.String()
    status = fields.String()
    course = fields.Nested(CourseRef)
    provider = fields.Nested(ProviderRef)
    start_date = fields.Date()
    end_date = fields.Date()
    enrolment_deadline = fields.Date()
    venue_address = fields.String()
    city = fields.String()
    province_code = fields.String()
    capacity = fields.Integer()
    seats_taken = fields.Integer()
    seats_free = fields.Integer()
    is_full = fields.Boolean()
    price_per_participant = fields.Integer(
        allow_none=True, metadata={"description": "IDR, frozen at publish (null in draft)"})
    ilo_supervised = fields.Boolean()
    estimated_delivery_cost = fields.Integer()
    cancel_reason = fields.String(allow_none=True)


class SessionOut(SessionSummary):
    """A session with its trainers, course and provider."""

    course = fields.Nested(CourseCore)
    provider = fields.Nested(ProviderOut, attribute="course.provider")
    trainers = fields.List(fields.Nested(TrainerIn))
    created_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)


def items_of(schema: type[Schema], name: str) -> type[Schema]:
    """``{"items": [...]}`` envelope of a collection."""
    return type(name, (Schema,), {"items": fields.List(fields.Nested(schema)),
                                  "__doc__": f"A list of {schema.__name__}."})


ModuleList = items_of(ModuleOut, "ModuleList")
ProvinceList = items_of(ProvinceOut, "ProvinceList")
ProviderList = items_of(ProviderOut, "ProviderList")
CourseList = items_of(CourseOut, "CourseList")


class SessionPage(Schema):
    """One page of sessions; pass ``next_cursor`` as ``cursor`` for the next."""

    items = fields.List(fields.Nested(SessionSummary))
    next_cursor = fields.String(allow_none=True)
    limit = fields.Integer()
