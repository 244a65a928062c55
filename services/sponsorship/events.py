"""Events sponsorship publishes (topic ``score.sponsorship``; subject = entity id).

Identity makes a sponsor's registrant its ``sponsor_staff`` from
``sponsor.registered``; the ILO's audit log follows funds, offers and every
reservation step; reports elsewhere need no call back: a reservation's payload
carries its lines (which fund paid how much) and the team it paid for.
Payload builders live here, beside the schemas, so each type is built one way.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.sponsorship import lifecycle
from services.sponsorship.ledger import Balance
from services.sponsorship.models import Fund, FundTransaction, Offer, Reservation, Sponsor
from services.sponsorship.models.funds import TRANSACTION_KINDS, UNITS
from services.sponsorship.models.sponsors import SPONSOR_KINDS
from shared.events import EventCatalog, EventType


def _count(**kwargs) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=0), **kwargs)


class SponsorPayload(Schema):
    """A sponsor as of the event (every ``sponsor.*`` type)."""

    sponsor_id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(SPONSOR_KINDS))
    status = fields.String(required=True, validate=validate.OneOf(lifecycle.SPONSOR.states))
    reason = fields.String(required=True, allow_none=True)
    changed_by = fields.String(required=True)


class SponsorRegistered(SponsorPayload):
    """Payload of ``sponsor.registered`` (identity makes the registrant its staff)."""

    registered_by = fields.String(required=True)


class BalancePayload(Schema):
    """A fund's figures in its unit after the event."""

    deposited = fields.Integer(required=True, strict=True)
    adjusted = fields.Integer(required=True, strict=True)
    reserved = _count(required=True)
    committed = _count(required=True)
    available = _count(required=True)


class FundPayload(Schema):
    """A fund as of the event (every ``fund.*`` type)."""

    fund_id = fields.String(required=True)
    sponsor_id = fields.String(required=True)
    name = fields.String(required=True)
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True)
    status = fields.String(required=True, validate=validate.OneOf(lifecycle.FUND.states))
    balance = fields.Nested(BalancePayload, required=True)
    changed_by = fields.String(required=True)


class Movement(Schema):
    """The ledger row a ``fund.deposited`` / ``fund.adjusted`` event reports."""

    transaction_id = fields.Integer(required=True, strict=True)
    kind = fields.String(required=True, validate=validate.OneOf(TRANSACTION_KINDS))
    amount = fields.Integer(required=True, strict=True)
    reason = fields.String(required=True, allow_none=True)


class FundMoved(FundPayload):
    """Payload of ``fund.deposited`` and ``fund.adjusted``."""

    movement = fields.Nested(Movement, required=True)


class OfferPayload(Schema):
    """An offer as of the event (every ``offer.*`` type)."""

    offer_id = fields.String(required=True)
    fund_id = fields.String(required=True)
    sponsor_id = fields.String(required=True)
    title = fields.String(required=True)
    rules = fields.Dict(required=True, metadata={"description": "the offer's rules (OfferRules)"})
    stackable = fields.Boolean(required=True)
    status = fields.String(required=True, validate=validate.OneOf(lifecycle.OFFER.states))
    reason = fields.String(required=True, allow_none=True)
    changed_by = fields.String(required=True)


class LinePayload(Schema):
    """What one offer (one fund) pays of a reservation."""

    offer_id = fields.String(required=True)
    fund_id = fields.String(required=True)
    sponsor_id = fields.String(required=True)
    amount = _count(required=True)
    units = _count(required=True, metadata={"description": "taken from the fund, in its unit"})
    participants = _count(required=True)


class ReservationPayload(Schema):
    """A reservation as of the event (every ``reservation.*`` type)."""

    reservation_id = fields.String(required=True)
    hold_id = fields.String(required=True)
    enrolment_id = fields.String(required=True)
    sme_id = fields.String(required=True)
    session_id = fields.String(required=True)
    provider_id = fields.String(required=True)
    module_code = fields.String(required=True)
    session_province_code = fields.String(required=True)
    sme_province_code = fields.String(required=True)
    sme_size_class = fields.String(required=True)
    participants = _count(required=True)
    managers = _count(required=True)
    workers = _count(required=True)
    women = _count(required=True)
    men = _count(required=True)
    price = _count(required=True)
    amount = _count(required=True, metadata={"description": "rupiah the sponsors pay"})
    status = fields.String(required=True,
                           validate=validate.OneOf(lifecycle.RESERVATION.states))
    expires_at = fields.AwareDateTime(required=True)
    lines = fields.List(fields.Nested(LinePayload), required=True)
    reason = fields.String(required=True, allow_none=True)
    changed_by = fields.String(required=True)


def sponsor_payload(sponsor: Sponsor, actor: str) -> dict:
    """Payload of every ``sponsor.*`` event (``registered`` adds ``registered_by``)."""
    return {"sponsor_id": sponsor.id, "name": sponsor.name, "kind": sponsor.kind,
            "status": sponsor.status, "reason": sponsor.status_reason, "changed_by": actor}


def fund_payload(fund: Fund, balance: Balance, actor: str) -> dict:
    """Payload of every ``fund.*`` event (movements add ``movement``)."""
    return {"fund_id": fund.id, "sponsor_id": fund.sponsor_id, "name": fund.name,
            "unit": fund.unit, "valid_from": fund.valid_from, "valid_until": fund.valid_until,
            "status": fund.status, "changed_by": actor,
            "balance": {"deposited": balance.deposited, "adjusted": balance.adjusted,
                        "reserved": balance.reserved, "committed": balance.committed,
                        "available": balance.available}}


def movement(row: FundTransaction) -> dict:
    """The ``movement`` of a ``fund.deposited`` / ``fund.adjusted`` payload."""
    return {"transaction_id": row.id, "kind": row.kind, "amount": row.amount,
            "reason": row.reason}


def offer_payload(offer: Offer, actor: str) -> dict:
    """Payload of every ``offer.*`` event."""
    return {"offer_id": offer.id, "fund_id": offer.fund_id, "sponsor_id": offer.sponsor_id,
            "title": offer.title, "rules": offer.rules, "stackable": offer.stackable,
            "status": offer.status, "reason": offer.status_reason, "changed_by": actor}


def reservation_payload(reservation: Reservation, actor: str) -> dict:
    """Payload of every ``reservation.*`` event."""
    r = reservation
    return {
        "reservation_id": r.id, "hold_id": r.hold_id, "enrolment_id": r.enrolment_id,
        "sme_id": r.sme_id, "session_id": r.session_id, "provider_id": r.provider_id,
        "module_code": r.module_code, "session_province_code": r.session_province_code,
        "sme_province_code": r.sme_province_code, "sme_size_class": r.sme_size_class,
        "participants": r.participants, "managers": r.managers, "workers": r.workers,
        "women": r.women, "men": r.men, "price": r.price, "amount": r.amount,
        "status": r.status, "expires_at": r.expires_at, "reason": r.status_reason,
        "changed_by": actor,
        "lines": [{"offer_id": line.offer_id, "fund_id": line.fund_id,
                   "sponsor_id": line.sponsor_id, "amount": line.amount,
                   "units": line.units, "participants": line.participants}
                  for line in r.lines],
    }


def _type(name: str, schema: type[Schema], description: str) -> EventType:
    return EventType(f"score.sponsorship.{name}.v1", schema, description)


SPONSOR_REGISTERED = _type("sponsor.registered", SponsorRegistered,
                           "A sponsor registered, pending approval.")
SPONSOR_APPROVED = _type("sponsor.approved", SponsorPayload,
                         "A platform admin approved (or reinstated) a sponsor.")
SPONSOR_SUSPENDED = _type("sponsor.suspended", SponsorPayload,
                          "A platform admin suspended a sponsor: its offers stop matching.")
FUND_CREATED = _type("fund.created", FundPayload, "A sponsor opened a fund.")
FUND_DEPOSITED = _type("fund.deposited", FundMoved, "Money or seats were added to a fund.")
FUND_ADJUSTED = _type("fund.adjusted", FundMoved,
                      "A correction (with a reason) was booked on a fund.")
FUND_CLOSED = _type("fund.closed", FundPayload, "A fund stopped taking reservations.")
OFFER_PUBLISHED = _type("offer.published", OfferPayload, "An offer started matching.")
OFFER_WITHDRAWN = _type("offer.withdrawn", OfferPayload, "An offer stopped matching.")
RESERVATION_CREATED = _type("reservation.created", ReservationPayload,
                            "A quote at checkout reserved sponsor money for a seat hold.")
RESERVATION_COMMITTED = _type("reservation.committed", ReservationPayload,
                              "The enrolment was confirmed: the sponsors pay.")
RESERVATION_RELEASED = _type("reservation.released", ReservationPayload,
                             "The hold ended unpaid, was cancelled, or fell back to full "
                             "price: the money is available again.")
RESERVATION_REVERSED = _type("reservation.reversed", ReservationPayload,
                             "A confirmed enrolment was cancelled or refunded: the "
                             "commitment is undone.")

EVENTS = EventCatalog([
    SPONSOR_REGISTERED, SPONSOR_APPROVED, SPONSOR_SUSPENDED,
    FUND_CREATED, FUND_DEPOSITED, FUND_ADJUSTED, FUND_CLOSED,
    OFFER_PUBLISHED, OFFER_WITHDRAWN,
    RESERVATION_CREATED, RESERVATION_COMMITTED, RESERVATION_RELEASED, RESERVATION_REVERSED,
])
