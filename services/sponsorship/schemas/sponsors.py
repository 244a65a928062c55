"""Sponsors: registration, profile, approval."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.sponsorship import lifecycle
from services.sponsorship.models.sponsors import SPONSOR_KINDS
from shared.fields import PHONE, Trimmed, patch_of, text
from shared.pages import PageArgs, page_of


class SponsorIn(Schema):
    """A sponsor's registration (its registering user becomes its ``sponsor_staff``)."""

    name = text(2, 200, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(SPONSOR_KINDS), metadata={
        "description": "ministry, donor, lead_buyer (funds its suppliers), association, other"})
    contact_name = text(2, 120, required=True)
    contact_email = fields.Email(required=True, validate=validate.Length(max=254))
    contact_phone = Trimmed(required=True, validate=PHONE)


SponsorPatch = patch_of(SponsorIn, "SponsorPatch", "Changes to a sponsor's contact details.",
                        exclude=("kind",))


class SponsorOut(Schema):
    """A sponsor."""

    id = fields.String()
    name = fields.String()
    kind = fields.String()
    contact_name = fields.String()
    contact_email = fields.String()
    contact_phone = fields.String()
    status = fields.String(validate=validate.OneOf(lifecycle.SPONSOR.states))
    status_reason = fields.String(allow_none=True)
    approved_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()


SponsorPage = page_of(SponsorOut, "SponsorPage",
                      "One page of sponsors, newest first.")


class SponsorListArgs(PageArgs):
    """Filters: status (other than approved: the sponsor's staff, auditors, admins) and kind."""

    status = fields.String(load_default="approved",
                           validate=validate.OneOf(lifecycle.SPONSOR.states))
    kind = fields.String(validate=validate.OneOf(SPONSOR_KINDS))


class ApproveIn(Schema):
    """An approval, with an optional note."""

    reason = text(0, 500, allow_none=True, load_default=None)


class ReasonIn(Schema):
    """Why (required for suspensions, closures and withdrawals)."""

    reason = text(3, 500, required=True)
