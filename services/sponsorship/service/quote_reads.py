"""What a quote reads, as statements built once: the facts, the offers with balances, the usage.

A preview runs them through ``db.quick.rows`` (one round trip each, no session);
a reservation through its transaction's session. Rows become small frozen
records, not ORM entities: a quote only reads them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import bindparam, func, or_, select, true
from sqlalchemy.sql import Select

from services.sponsorship import ledger, rules
from services.sponsorship.models import (
    Fund,
    Offer,
    Reservation,
    ReservationLine,
    SessionFacts,
    SmeFacts,
    Sponsor,
)
from services.sponsorship.rules import Facts, Team
from shared import clock
from shared.errors import NotFound

# Runs a statement with parameters and returns its rows.
Run = Callable[[Select, Mapping[str, Any]], list]
HOLDING = ("reserved", "committed")


@dataclasses.dataclass(frozen=True)
class FundFacts:
    """A fund as a quote sees it."""

    id: str
    unit: str
    valid_from: dt.date
    valid_until: dt.date

    def valid_on(self, day: dt.date) -> bool:
        """Whether the fund pays for something on ``day`` (published offers' funds are open)."""
        return self.valid_from <= day <= self.valid_until


@dataclasses.dataclass(frozen=True)
class Offered:
    """A published offer of an approved sponsor's open fund, and the fund's balance."""

    offer_id: str
    sponsor_id: str
    title: str
    stackable: bool
    rules: dict[str, Any]
    fund: FundFacts
    sponsor_name: str
    available: int


FACTS = (select(SmeFacts.province_code, SmeFacts.kbli_code, SmeFacts.size_class,
                SessionFacts.province_code, SessionFacts.module_code, SessionFacts.provider_id,
                SessionFacts.ilo_supervised, SessionFacts.price_per_participant)
         .select_from(SmeFacts).join(SessionFacts, true())
         .where(SmeFacts.id == bindparam("sme_id"), SessionFacts.id == bindparam("session_id")))
SME_KNOWN = select(SmeFacts.id).where(SmeFacts.id == bindparam("sme_id"))
OFFERS = (select(Offer.id, Offer.sponsor_id, Offer.title, Offer.stackable, Offer.rules, Fund.id,
                 Fund.unit, Fund.valid_from, Fund.valid_until, Sponsor.name,
                 ledger.available_of(Fund.id))
          .join(Fund, Fund.id == Offer.fund_id).join(Sponsor, Sponsor.id == Offer.sponsor_id)
          .where(Offer.status == "published", Fund.status == "open",
                 Sponsor.status == "approved").order_by(Offer.id))
USAGE = (select(ReservationLine.fund_id, func.sum(ReservationLine.participants),
                func.sum(ReservationLine.amount))
         .join(Reservation, Reservation.id == ReservationLine.reservation_id)
         .where(Reservation.sme_id == bindparam("sme_id"),
                or_(*(Reservation.status == status for status in HOLDING)))
         .group_by(ReservationLine.fund_id))


def facts(run: Run, data: dict[str, Any]) -> Facts:
    """The quote's facts: the SME's and the session's (404 for one sponsorship has not learnt)."""
    found = run(FACTS, {"sme_id": data["sme_id"], "session_id": data["session_id"]})
    if not found:
        if not run(SME_KNOWN, {"sme_id": data["sme_id"]}):
            raise NotFound("no such SME (sponsorship learns of SMEs from enrolment's events)")
        raise NotFound("no such session (sponsorship learns of sessions from catalog's events)")
    province, kbli, size, session_province, module, provider, supervised, price = found[0]
    return Facts(sme_id=data["sme_id"], sme_province=province, sme_kbli=kbli,
                 sme_size_class=size, session_province=session_province, module_code=module,
                 provider_id=provider, ilo_supervised=bool(supervised),
                 price_per_participant=price or 0, team=Team(**data["team"]),
                 today=clock.today())


def published(run: Run) -> list[Offered]:
    """Published offers of approved sponsors' open funds, with balances, in offer id order."""
    return [Offered(offer_id, sponsor_id, title, bool(stackable), _loaded(offer_id, raw),
                    FundFacts(fund_id, unit, valid_from, valid_until), name, int(available))
            for (offer_id, sponsor_id, title, stackable, raw, fund_id, unit, valid_from,
                 valid_until, name, available) in run(OFFERS, {})]


def usage(run: Run, sme_id: str) -> dict[str, tuple[int, int]]:
    """(participants, rupiah) the SME holds or used from each fund."""
    return {fund_id: (int(seats), int(amount))
            for fund_id, seats, amount in run(USAGE, {"sme_id": sme_id})}


_RULES: dict[str, dict[str, Any]] = {}


def _loaded(offer_id: str, raw: dict[str, Any]) -> dict[str, Any]:
    """An offer's rules, loaded once per process (they never change once written)."""
    found = _RULES.get(offer_id)
    if found is None:
        found = _RULES[offer_id] = rules.load_rules(raw)
    return found
