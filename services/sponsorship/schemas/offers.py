"""Offers and their rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.sponsorship import lifecycle
from services.sponsorship.rules import OfferRules
from shared.fields import StrictBoolean, Trimmed, text
from shared.pages import PageArgs, page_of


class OfferIn(Schema):
    """A draft offer: what the fund pays for, under which rules."""

    title = text(3, 200, required=True)
    description = text(0, 2000, load_default=None, allow_none=True)
    stackable = StrictBoolean(load_default=False, metadata={
        "description": "may combine with other stackable offers on one enrolment"})
    rules = fields.Nested(OfferRules, required=True, metadata={
        "description": "every rule is optional; an absent rule does not restrict"})


class OfferOut(Schema):
    """An offer."""

    id = fields.String()
    fund_id = fields.String()
    sponsor_id = fields.String()
    title = fields.String()
    description = fields.String(allow_none=True)
    stackable = fields.Boolean()
    rules = fields.Dict()
    status = fields.String(validate=validate.OneOf(lifecycle.OFFER.states))
    status_reason = fields.String(allow_none=True)
    published_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()


class OfferCheckIn(Schema):
    """A draft offer as typed so far, to check: title and rules present, any values (the
    answer says what is wrong with them)."""

    fund_id = fields.Raw(allow_none=True, metadata={
        "description": "the fund it would be drafted on (checked as drafting would)"})
    title = fields.Raw(required=True, allow_none=True)
    description = fields.Raw(allow_none=True)
    stackable = fields.Raw(allow_none=True)
    rules = fields.Raw(required=True, allow_none=True)


class OfferCheckOut(Schema):
    """What drafting the offer would refuse (nothing: it would be accepted)."""

    valid = fields.Boolean(metadata={"description": "drafting it would be accepted"})
    errors = fields.Dict(metadata={
        "description": "field errors as a 422 of POST /funds/{fund_id}/offers names them "
                       "(rules nested), plus fund_id"})


OfferPage = page_of(OfferOut, "OfferPage", "One page of offers, newest first.")


class OfferListArgs(PageArgs):
    """Filters (status other than published: the sponsor's staff, auditors, admins)."""

    status = fields.String(load_default="published",
                           validate=validate.OneOf(lifecycle.OFFER.states))
    sponsor_id = Trimmed(validate=validate.Length(1, 36))
    fund_id = Trimmed(validate=validate.Length(1, 36))
