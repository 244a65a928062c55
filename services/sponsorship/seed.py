"""Demo data for ``score run`` (development only), created through the use cases.

Four sponsors (:mod:`.seed_data`), each registered by the staff account
identity's seed provides (``sponsor_staff``: email → user id; identity's
consumer of ``sponsor.registered`` then makes that user the sponsor's staff) and
approved by its platform admin (``platform_admin``); funds opened with deposits,
offers drafted and published – every request body loaded by the API's own
schemas, so the rows are what the API would have written.

Rules name enrolment's demo SMEs (``smes`` from enrolment's seed) and catalog's
providers of ILO-supervised sessions (catalog's ``sessions``). The SME and
session facts quotes test are *not* needed here: ``score run`` delivers them
through sponsorship's consumer from enrolment's and catalog's events.

Idempotent entity by entity (a sponsor by name, a fund by sponsor and name, an
offer by fund and title, a deposit by its reference): a start creates only what
is missing – so an offer left out because the ids its rules name were not known
yet is made on a later start.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from services.sponsorship import service
from services.sponsorship.models import Fund, Offer, Sponsor
from services.sponsorship.schemas.funds import DepositIn, FundIn
from services.sponsorship.schemas.offers import OfferIn
from services.sponsorship.schemas.sponsors import SponsorIn
from services.sponsorship.seed_data import FUNDS, OFFERS, SPONSORS, DemoSponsor, Known
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.seeding import SeedContext, SeedResult

ADMIN_FALLBACK = "demo-admin"


def seed_demo(db: Database, context: SeedContext) -> SeedResult:
    """Create sponsorship's demo data that is missing; returns what was created."""
    identity = context.provided("identity")
    staff_ids: Mapping[str, str] = identity.get("sponsor_staff") or {}
    admin = Principal(identity.get("platform_admin") or ADMIN_FALLBACK, "platform_admin",
                      "platform", "ilo")
    known = Known(today=clock.today(), smes=context.provided("enrolment").get("smes") or {},
                  supervising_providers=_supervising(context.provided("catalog")))
    created = {"sponsors": 0, "funds": 0, "deposits": 0, "offers": 0}
    staff: dict[str, Principal] = {}
    for demo in SPONSORS:
        sponsor_id, new = _sponsor(db, demo, staff_ids.get(demo.staff_email), admin)
        created["sponsors"] += new
        staff[demo.key] = Principal(staff_ids.get(demo.staff_email) or _fallback(demo),
                                    "sponsor_staff", sponsor_id, "sponsor")
    funds: dict[str, tuple[Principal, str]] = {}
    for fund in FUNDS:
        principal = staff[fund.sponsor]
        fund_id, new = _fund(db, principal, fund.name, fund.opening(known.today))
        created["funds"] += new
        created["deposits"] += new  # the first deposit is booked with the fund
        for amount, reference, reason in fund.deposits[1:]:
            # A reference books once: on later starts this finds the row and adds nothing.
            _view, booked = service.deposit(db, principal, fund_id, DepositIn().load(
                {"amount": amount, "reference": reference, "reason": reason}))
            created["deposits"] += booked
        funds[fund.name] = principal, fund_id
    for offer in OFFERS:
        principal, fund_id = funds[offer.fund]
        body = offer.body(known)
        if body is not None:
            created["offers"] += _offer(db, principal, fund_id, body)
    return SeedResult(created=created)


def _supervising(catalog: Mapping[str, Any]) -> tuple[str, ...]:
    """Providers with an upcoming ILO-supervised session among catalog's seeded sessions."""
    return tuple(sorted({s["provider_id"] for s in catalog.get("sessions", ())
                         if s["ilo_supervised"] and s["status"] == "published"}))


def _fallback(demo: DemoSponsor) -> str:
    """A registrant without identity's account (identity's consumer dead-letters its grant)."""
    return f"demo-sponsor-{demo.key}"


def _sponsor(db: Database, demo: DemoSponsor, user_id: str | None,
             admin: Principal) -> tuple[str, bool]:
    """The sponsor, registered by its staff and approved, unless it exists."""
    with db.reading() as session:
        found = session.execute(select(Sponsor.id, Sponsor.status)
                                .where(Sponsor.name == demo.name)).first()
    if found is not None:
        sponsor_id, status = found
        if status == "pending":  # registered by a start that stopped before approving
            service.approve_sponsor(db, admin, sponsor_id, "demo data")
        return sponsor_id, False
    registrant = Principal(user_id or _fallback(demo), "sponsor_staff")
    sponsor = service.register_sponsor(db, registrant, SponsorIn().load(demo.registration()))
    service.approve_sponsor(db, admin, sponsor.id, "demo data")
    return sponsor.id, True


def _fund(db: Database, staff: Principal, name: str, body: dict[str, Any]) -> tuple[str, bool]:
    """The sponsor's fund called ``name``, opened with its first deposit unless it exists."""
    with db.reading() as session:
        found = session.scalar(select(Fund.id).where(Fund.sponsor_id == staff.org,
                                                     Fund.name == name))
    if found is not None:
        return found, False
    assert staff.org is not None
    return service.create_fund(db, staff, staff.org, FundIn().load(body)).id, True


def _offer(db: Database, staff: Principal, fund_id: str, body: dict[str, Any]) -> bool:
    """The fund's offer titled as ``body``, drafted and published, unless it exists."""
    with db.reading() as session:
        found = session.execute(select(Offer.id, Offer.status).where(
            Offer.fund_id == fund_id, Offer.title == body["title"])).first()
    if found is None:
        offer_id = service.create_offer(db, staff, fund_id, OfferIn().load(body)).id
    elif found.status == "draft":  # drafted by a start that stopped before publishing
        offer_id = found.id
    else:
        return False
    service.publish_offer(db, staff, offer_id)
    return found is None
