"""The matching policy: which eligible offers pay how much of a team's price.

Policy (documented in the API and tested by properties):

1. Each eligible offer is a :class:`Candidate` with the most it can pay for this
   team: its share per participant × the participants it may cover, limited by
   the SME's cap and by what its fund has left (rupiah, or seats).
2. The options are each non-stackable offer on its own, and all stackable offers
   together (an offer that does not stack never combines with another).
   Within an option, offers pay in order of their fund's end of validity (the
   fund expiring first pays first, so money that would lapse is used), each at
   most what is left of the price. Offers sharing a fund share its balance and the
   SME's cap on it: what one takes, the next no longer has.
3. The best option covers the most; on a tie, the one whose earliest-expiring
   fund expires first; then fewer lines; then offer ids – so the same input
   always gives the same plan.

Never more than the price: each line takes at most what is left of it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from services.sponsorship.rules import Reason


@dataclasses.dataclass(frozen=True)
class Candidate:
    """An eligible offer and the most it can pay for this team."""

    offer_id: str
    fund_id: str
    sponsor_id: str
    stackable: bool
    unit: str  # the fund's: "IDR" or "seats"
    fund_valid_until: dt.date
    per_participant: int
    max_participants: int
    max_amount: int
    # What the fund has left, in its unit: offers sharing a fund share this.
    fund_available: int
    # What the SME may still get from the fund under this offer's cap (None: no cap);
    # the cap is on the fund, so offers sharing it share what the plan takes of it.
    sme_seats_left: int | None = None
    sme_amount_left: int | None = None


@dataclasses.dataclass(frozen=True)
class Line:
    """What one offer pays in a plan, and what it takes from its fund (``units``)."""

    offer_id: str
    fund_id: str
    sponsor_id: str
    amount: int
    participants: int
    units: int


@dataclasses.dataclass(frozen=True)
class Plan:
    """The chosen lines for a price, and why each other candidate was left out."""

    price: int
    lines: tuple[Line, ...] = ()
    left_out: tuple[tuple[str, Reason], ...] = ()

    @property
    def sponsor_share(self) -> int:
        """Rupiah the sponsors pay."""
        return sum(line.amount for line in self.lines)

    @property
    def sme_share(self) -> int:
        """Rupiah the SME pays."""
        return self.price - self.sponsor_share


def candidate(*, offer_id: str, fund_id: str, sponsor_id: str, stackable: bool, unit: str,
              fund_valid_until: dt.date, fund_available: int, per_participant: int,
              participants: int, sme_seats_left: int | None,
              sme_amount_left: int | None) -> Candidate | Reason:
    """The most an eligible offer can pay, or why it can pay nothing."""
    if per_participant <= 0:
        return Reason("REASON_NOTHING_TO_PAY", "the offer's share of this price is 0")
    covered = participants if sme_seats_left is None else min(participants, sme_seats_left)
    if unit == "seats":
        covered = min(covered, fund_available)
    amount = covered * per_participant
    if sme_amount_left is not None:
        amount = min(amount, sme_amount_left)
    if unit == "IDR":
        amount = min(amount, fund_available)
    if amount <= 0:
        return Reason("REASON_FUND_EXHAUSTED", "the fund has nothing left for this team")
    return Candidate(offer_id=offer_id, fund_id=fund_id, sponsor_id=sponsor_id,
                     stackable=stackable, unit=unit, fund_valid_until=fund_valid_until,
                     per_participant=per_participant, max_participants=covered,
                     max_amount=amount, fund_available=fund_available,
                     sme_seats_left=sme_seats_left, sme_amount_left=sme_amount_left)


def _pay(price: int, option: list[Candidate]) -> tuple[Line, ...]:
    lines, left = [], price
    fund_left = {offer.fund_id: offer.fund_available for offer in option}
    # (participants, rupiah) the SME gets from each fund in this option so far.
    sme_took = {offer.fund_id: (0, 0) for offer in option}
    for offer in option:
        took_seats, took_amount = sme_took[offer.fund_id]
        most = offer.max_participants
        if offer.sme_seats_left is not None:
            most = min(most, offer.sme_seats_left - took_seats)
        if offer.unit == "seats":
            most = min(most, fund_left[offer.fund_id])
        amount = min(offer.max_amount, left, most * offer.per_participant)
        if offer.sme_amount_left is not None:
            amount = min(amount, offer.sme_amount_left - took_amount)
        if offer.unit == "IDR":
            amount = min(amount, fund_left[offer.fund_id])
        if amount <= 0:
            continue
        # Participants this amount pays for (a part-paid participant counts).
        participants = min(most, -(-amount // offer.per_participant))
        units = amount if offer.unit == "IDR" else participants
        lines.append(Line(offer.offer_id, offer.fund_id, offer.sponsor_id, amount,
                          participants, units))
        fund_left[offer.fund_id] -= units
        sme_took[offer.fund_id] = (took_seats + participants, took_amount + amount)
        left -= amount
        if left == 0:
            break
    return tuple(lines)


def _rank(lines: tuple[Line, ...], expiry: dict[str, dt.date]):
    earliest = min((expiry[line.offer_id] for line in lines), default=dt.date.max)
    return (-sum(line.amount for line in lines), earliest, len(lines),
            tuple(line.offer_id for line in lines))


def match(price: int, candidates: Iterable[Candidate]) -> Plan:
    """The best plan for ``price`` under the policy above."""
    ordered = sorted(candidates, key=lambda c: (c.fund_valid_until, c.offer_id))
    if price <= 0 or not ordered:
        return Plan(price=max(price, 0))
    options = [[c] for c in ordered if not c.stackable]
    stack = [c for c in ordered if c.stackable]
    if stack:
        options.append(stack)
    expiry = {c.offer_id: c.fund_valid_until for c in ordered}
    best = min((_pay(price, option) for option in options), key=lambda ls: _rank(ls, expiry))
    chosen = {line.offer_id for line in best}
    covered = sum(line.amount for line in best) >= price
    left_out = []
    for c in ordered:
        if c.offer_id in chosen:
            continue
        if covered:
            reason = Reason("REASON_PRICE_FULLY_COVERED", "other offers already cover the price")
        else:
            reason = Reason("REASON_NOT_STACKABLE",
                            "the offer does not combine with the offers that pay more")
        left_out.append((c.offer_id, reason))
    return Plan(price=price, lines=best, left_out=tuple(left_out))
