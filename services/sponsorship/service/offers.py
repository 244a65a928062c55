"""Offer use cases: draft, publish, withdraw; published offers are public.

An offer's rules are validated by :class:`~services.sponsorship.rules.OfferRules`
in the request schema and stored as JSON. They never change once written: to
pay for something else, withdraw the offer and publish another – so a quote, a
reservation and the audit log always refer to one meaning of an offer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.sponsorship import access, events, rules
from services.sponsorship.models import Fund, Offer, Sponsor
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.errors import Conflict, NotFound
from shared.events import publish
from shared.pages import newest_first
from shared.persistence import load


def create_offer(db: Database, principal: Principal, fund_id: str,
                 data: dict[str, Any]) -> Offer:
    """A draft offer on a fund (its sponsor's staff)."""
    with db.transaction() as session:
        fund = load(session, Fund, fund_id)
        access.ensure_staff_of(principal, fund.sponsor_id, "fund")
        if fund.status != "open":
            raise Conflict("the fund is closed", errors={"fund_id": ["fund is closed"]})
        offer = Offer(fund_id=fund.id, sponsor_id=fund.sponsor_id, title=data["title"],
                      description=data.get("description"), stackable=data["stackable"],
                      rules=rules.dump_rules(data["rules"]), created_by=principal.subject)
        session.add(offer)
        session.flush()
        return offer


def fund_refusals(db: Database, principal: Principal, fund_id: Any) -> list[str]:
    """Why :func:`create_offer` would refuse the fund ``fund_id`` (writes nothing)."""
    if not isinstance(fund_id, str):
        return ["Not a valid string."]
    with db.reading() as session:
        try:
            fund = load(session, Fund, fund_id)
            access.ensure_staff_of(principal, fund.sponsor_id, "fund")
        except NotFound:
            return ["no such fund"]
        return ["fund is closed"] if fund.status != "open" else []


def publish_offer(db: Database, principal: Principal, offer_id: str) -> Offer:
    """Start matching: the sponsor approved, the fund open (its sponsor's staff)."""
    with db.transaction() as session:
        offer = _own_offer(session, principal, offer_id)
        sponsor = session.get(Sponsor, offer.sponsor_id)
        fund = session.get(Fund, offer.fund_id)
        assert sponsor is not None and fund is not None  # foreign keys
        if sponsor.status != "approved":
            raise Conflict("the sponsor is not approved",
                           errors={"sponsor_id": [f"sponsor is {sponsor.status}"]})
        if fund.status != "open":
            raise Conflict("the fund is closed", errors={"fund_id": ["fund is closed"]})
        offer.transition("publish", None, clock.now())
        session.flush()
        publish(session, events.OFFER_PUBLISHED, offer.id,
                events.offer_payload(offer, principal.subject))
        return offer


def withdraw_offer(db: Database, principal: Principal, offer_id: str, reason: str) -> Offer:
    """Stop matching (its sponsor's staff); reservations already made stand."""
    with db.transaction() as session:
        offer = _own_offer(session, principal, offer_id)
        before = offer.status
        offer.transition("withdraw", reason, clock.now())
        session.flush()
        if before == "published":  # a draft was never announced
            publish(session, events.OFFER_WITHDRAWN, offer.id,
                    events.offer_payload(offer, principal.subject))
        return offer


def _own_offer(session: Session, principal: Principal, offer_id: str) -> Offer:
    offer = load(session, Offer, offer_id, lock=True)
    access.ensure_staff_of(principal, offer.sponsor_id, "offer")
    return offer


def get_offer(db: Database, principal: Principal | None, offer_id: str) -> Offer:
    """A published offer (anyone), or any offer its sponsor's readers may see."""
    with db.reading() as session:
        offer = load(session, Offer, offer_id)
        if offer.status != "published":
            access.ensure_reads_sponsor(principal, offer.sponsor_id, "offer")
        return offer


def list_offers(db: Database, principal: Principal | None,
                args: dict[str, Any]) -> dict[str, Any]:
    """Offers newest first: published ones for anyone; a sponsor's others for its readers."""
    status = args.get("status", "published")
    query = select(Offer).where(Offer.status == status)
    if args.get("sponsor_id"):
        query = query.where(Offer.sponsor_id == args["sponsor_id"])
    if args.get("fund_id"):
        query = query.where(Offer.fund_id == args["fund_id"])
    if status != "published" and not (principal is not None and principal.reads_everything):
        # Only a sponsor's own unpublished offers (none for anyone else).
        org = None
        if principal is not None and principal.role == "sponsor_staff":
            org = principal.org
        query = query.where(Offer.sponsor_id == org)
    with db.reading() as session:
        return newest_first(session, query, Offer, args)
