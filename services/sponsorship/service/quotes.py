"""Quotes at checkout: what sponsors pay for a team, and the reservation that holds it.

The one synchronous call in the market (``docs/SPONSORSHIP.md``). A quote reads
the SME and the session from sponsorship's read models, tests every published
offer of an approved sponsor's open fund against them (:mod:`..rules`), and lets
:mod:`..matching` choose. A preview writes nothing. A reservation:

1. answers the hold's reservation if it has one (one per ``hold_id``: a retried
   request finds the first; two at once collide on the unique ``hold_id`` and the
   loser, run again, finds the winner's);
2. plans on the funds' balances read without locks, writes the reservation, its
   lines and ``reservation.created``, and only then locks the funds (id order,
   :func:`ledger.lock_funds`) to write one ``reservation`` ledger row per line
   (key ``reserve:<hold_id>:<offer_id>``) *if the fund still has it*
   (:func:`ledger.take`): a hot fund's lock is held for two statements and the
   commit, not for the whole quote;
3. when a fund was outrun meanwhile (or looked empty), or an offer caps what one
   SME may get (the SME's earlier reservations must hold still), plans again with
   the funds locked first: balances and usage read under the locks, then the
   same writes – so a fund never pays more than it has, whichever path ran.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.sponsorship import access, events, ledger, matching, rules
from services.sponsorship.models import (
    Reservation,
    ReservationLine,
    Sponsor,
)
from services.sponsorship.rules import Facts, Reason
from services.sponsorship.service import quote_reads as reads
from shared.auth import Principal
from shared.conflicts import retry_conflicts
from shared.db import Database
from shared.errors import Conflict, Forbidden, NotFound
from shared.events import publish


@dataclasses.dataclass
class QuoteResult:
    """A quote's answer; ``reservation`` is None for a preview or when no sponsor pays."""

    price: int
    sponsor_share: int
    sme_share: int
    applied: list[dict[str, Any]]
    declined: list[dict[str, Any]]
    reservation: Reservation | None = None
    created: bool = False
    currency: str = "IDR"


def quote(db: Database, principal: Principal, data: dict[str, Any]) -> QuoteResult:
    """Preview (no ``reserve``) or reserve the sponsor share of a team's enrolment."""
    _authorise(principal, data["sme_id"], reserving="reserve" in data)
    if "reserve" in data:
        return _reserve(db, principal, data)
    run = db.quick.rows  # a preview: three reads at most, one round trip each
    facts = reads.facts(run, data)
    offered = reads.published(run)
    usage = reads.usage(run, facts.sme_id) if _capped(offered) else {}
    plan, declined = _plan(facts, offered, _available(offered), usage)
    return _result(plan, declined, offered)


def _capped(offered: list[reads.Offered]) -> bool:
    return any("sme_cap" in o.rules for o in offered)


def _available(offered: list[reads.Offered]) -> dict[str, int]:
    return {o.fund.id: o.available for o in offered}


def _in(session: Session) -> reads.Run:
    return lambda statement, values: list(session.execute(statement, values))


def _authorise(principal: Principal, sme_id: str, *, reserving: bool) -> None:
    if access.acts_for_sme(principal, sme_id) or principal.role == "service":
        return
    if principal.reads_everything and not reserving:
        return
    if principal.reads_everything:
        raise Forbidden("only the SME (through its checkout) reserves sponsor money")
    raise NotFound("no such SME")


class _Outrun(Exception):
    """A fund no longer had what the optimistic plan took: plan again under the locks."""


def _reserve(db: Database, principal: Principal, data: dict[str, Any]) -> QuoteResult:
    optimistic = True
    for attempt in range(3):
        try:
            return _reserve_once(db, principal, data, optimistic=optimistic)
        except _Outrun:
            optimistic = False
        except IntegrityError as exc:
            # The same hold reserved by a request running alongside: the next attempt
            # finds that reservation and answers it (one reservation per hold).
            if not _hold_taken(exc) or attempt == 2:
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def _hold_taken(exc: IntegrityError) -> bool:
    text = str(exc.orig)
    return "uq_reservations_hold_id" in text or "reservations.hold_id" in text


@retry_conflicts
def _reserve_once(db: Database, principal: Principal, data: dict[str, Any], *,
                  optimistic: bool) -> QuoteResult:
    hold = data["reserve"]
    # Read before the transaction, one round trip each and no session: a reservation
    # rests on the funds' balances read again under their locks (ledger.take), and on
    # facts and offers that a moment's age does not change.
    facts = reads.facts(db.quick.rows, data)
    offered = reads.published(db.quick.rows)
    with db.transaction() as session:
        existing = session.scalar(select(Reservation).where(
            Reservation.hold_id == hold["hold_id"]).with_for_update())
        if existing is not None:
            return _again(session, existing, data)
        eligible = [o for o in offered if not _static_refusals(o, facts)]
        # The per-SME caps count the SME's earlier reservations, which only the funds'
        # locks keep still: offers with caps always plan under the locks.
        if optimistic and not _capped(eligible):
            plan, declined = _plan(facts, offered, _available(offered), {})
            if not plan.lines:
                if any(r.code == "REASON_FUND_EXHAUSTED" for rs in declined.values()
                       for r in rs):
                    raise _Outrun  # read without a lock: maybe money came back since
                return _result(plan, declined, offered)
            result = _reserved(session, principal, facts, data, plan, declined, offered)
            # The funds' locks, held from here to the commit: two statements.
            if not ledger.take(session, _takes(result.reservation, principal)):
                raise _Outrun
            return result
        funds = ledger.lock_funds(session, {o.fund.id for o in eligible})
        # A fund closed while we waited for its lock takes nothing new.
        offered = [o for o in offered
                   if o.fund.id not in funds or funds[o.fund.id].status == "open"]
        found = {fund_id: b.available for fund_id, b in ledger.balances(session, funds).items()}
        usage = reads.usage(_in(session), facts.sme_id) if _capped(eligible) else {}
        plan, declined = _plan(facts, offered, found, usage)
        if not plan.lines:
            return _result(plan, declined, offered)
        result = _reserved(session, principal, facts, data, plan, declined, offered)
        taken = ledger.take(session, _takes(result.reservation, principal), locked=True)
        assert taken, "planned on the balances read under the same locks"
        return result


def _reserved(session: Session, principal: Principal, facts: Facts, data: dict[str, Any],
              plan: matching.Plan, declined: dict[str, list[Reason]],
              offered: list[reads.Offered]) -> QuoteResult:
    """Write the reservation, its lines and its event (not yet the ledger rows)."""
    reservation = _write(session, principal, facts, data, plan)
    publish(session, events.RESERVATION_CREATED, reservation.id,
            events.reservation_payload(reservation, principal.subject),
            providerid=reservation.provider_id)
    session.flush()
    result = _result(plan, declined, offered)
    result.reservation, result.created = reservation, True
    return result


def _takes(reservation: Reservation | None, principal: Principal) -> list[ledger.Take]:
    assert reservation is not None
    return [ledger.Take(line.fund_id, line.units, f"reserve:{reservation.hold_id}:{line.offer_id}",
                        reservation.id, reservation.sme_id, principal.subject)
            for line in reservation.lines]


def _again(session: Session, reservation: Reservation, data: dict[str, Any]) -> QuoteResult:
    """The hold's first reservation, answered again (a later expiry extends it)."""
    hold = data["reserve"]
    if (reservation.enrolment_id, reservation.sme_id) != (hold["enrolment_id"], data["sme_id"]):
        raise Conflict("this seat hold is reserved for another enrolment",
                       errors={"reserve": {"hold_id": ["already used"]}})
    if reservation.status == "reserved" and hold["expires_at"] > reservation.expires_at:
        reservation.expires_at = hold["expires_at"]
    names = dict(session.execute(select(Sponsor.id, Sponsor.name).where(
        Sponsor.id.in_({line.sponsor_id for line in reservation.lines}))).all())
    applied = [_applied(line, names.get(line.sponsor_id)) for line in reservation.lines]
    return QuoteResult(price=reservation.price, sponsor_share=reservation.amount,
                       sme_share=reservation.price - reservation.amount, applied=applied,
                       declined=[], reservation=reservation, created=False)


def _static_refusals(offered: reads.Offered, facts: Facts) -> list[Reason]:
    """Every refusal but the fund's: the rules, and the fund's validity today."""
    found = rules.refusals(offered.rules, facts)
    if not offered.fund.valid_on(facts.today):
        found.append(Reason("REASON_FUND_NOT_VALID",
                            f"the fund pays from {offered.fund.valid_from.isoformat()} "
                            f"to {offered.fund.valid_until.isoformat()}"))
    return found


def _plan(facts: Facts, offered: list[reads.Offered], available: dict[str, int],
          usage: dict[str, tuple[int, int]]) -> tuple[matching.Plan, dict[str, list[Reason]]]:
    declined: dict[str, list[Reason]] = {}
    candidates = []
    for o in offered:
        seats_used, amount_used = usage.get(o.fund.id, (0, 0))
        used = dataclasses.replace(facts, sme_seats_used=seats_used, sme_amount_used=amount_used)
        refused = _static_refusals(o, used)
        if refused:
            declined[o.offer_id] = refused
            continue
        seats_left, amount_left = rules.sme_cap_left(o.rules, used)
        made = matching.candidate(
            offer_id=o.offer_id, fund_id=o.fund.id, sponsor_id=o.sponsor_id,
            stackable=o.stackable, unit=o.fund.unit, fund_valid_until=o.fund.valid_until,
            fund_available=available.get(o.fund.id, 0),
            per_participant=rules.share_per_participant(o.rules, facts.price_per_participant),
            participants=facts.team.participants, sme_seats_left=seats_left,
            sme_amount_left=amount_left)
        if isinstance(made, Reason):
            declined[o.offer_id] = [made]
        else:
            candidates.append(made)
    plan = matching.match(facts.price_per_participant * facts.team.participants, candidates)
    for offer_id, reason in plan.left_out:
        declined[offer_id] = [reason]
    return plan, declined


def _write(session: Session, principal: Principal, facts: Facts, data: dict[str, Any],
           plan: matching.Plan) -> Reservation:
    team, hold = facts.team, data["reserve"]
    reservation = Reservation(
        hold_id=hold["hold_id"], enrolment_id=hold["enrolment_id"], sme_id=facts.sme_id,
        session_id=data["session_id"], provider_id=facts.provider_id,
        module_code=facts.module_code, session_province_code=facts.session_province,
        sme_province_code=facts.sme_province, sme_size_class=facts.sme_size_class,
        participants=team.participants, managers=team.managers, workers=team.workers,
        women=team.women, men=team.men, price=plan.price, amount=plan.sponsor_share,
        expires_at=hold["expires_at"], created_by=principal.subject,
        lines=[ReservationLine(position=n, offer_id=line.offer_id, fund_id=line.fund_id,
                               sponsor_id=line.sponsor_id, amount=line.amount,
                               units=line.units, participants=line.participants)
               for n, line in enumerate(plan.lines)])
    session.add(reservation)
    session.flush()
    return reservation


def _applied(line: matching.Line | ReservationLine, sponsor_name: str | None) -> dict[str, Any]:
    return {"offer_id": line.offer_id, "fund_id": line.fund_id, "sponsor_id": line.sponsor_id,
            "sponsor_name": sponsor_name, "amount": line.amount,
            "participants": line.participants}


def _result(plan: matching.Plan, declined: dict[str, list[Reason]],
            offered: list[reads.Offered]) -> QuoteResult:
    names = {o.offer_id: o.sponsor_name for o in offered}
    titles = {o.offer_id: o.title for o in offered}
    return QuoteResult(
        price=plan.price, sponsor_share=plan.sponsor_share, sme_share=plan.sme_share,
        applied=[_applied(line, names[line.offer_id]) for line in plan.lines],
        declined=[{"offer_id": offer_id, "title": titles[offer_id],
                   "sponsor_name": names[offer_id],
                   "reasons": [dataclasses.asdict(r) for r in reasons]}
                  for offer_id, reasons in sorted(declined.items())])

