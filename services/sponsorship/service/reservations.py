"""Reservations: reads, and the saga steps enrolment's events drive (``docs/SPONSORSHIP.md``).

The steps run in the consumer's inbox transaction (an event is applied once)
and each ledger row's key names the step (``commit:<reservation>:<offer>``), so
even a step applied twice by another path books nothing twice. A step locks the
reservation row; only a late commit, which takes money again, locks funds too
(after the reservation, in id order – the quote's lock order is hold, then funds,
and a quote never waits on a reservation row).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from services.sponsorship import access, events, ledger
from services.sponsorship.models import Reservation, ReservationLine
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.errors import NotFound
from shared.events import publish
from shared.pages import newest_first
from shared.persistence import load

log = logging.getLogger(__name__)

# Ledger row kind and key prefix of each step.
STEPS = {"commit": ("commit", "commit"), "release": ("release", "release"),
         "reverse": ("reversal", "reverse")}
STEP_EVENTS = {"commit": events.RESERVATION_COMMITTED, "release": events.RESERVATION_RELEASED,
               "reverse": events.RESERVATION_REVERSED,
               "late_commit": events.RESERVATION_COMMITTED}


def lock_by_hold(session: Session, hold_id: str) -> Reservation | None:
    """The hold's reservation, locked (None: the hold reserved nothing)."""
    return session.scalar(select(Reservation).where(Reservation.hold_id == hold_id)
                          .with_for_update().execution_options(populate_existing=True))


def lock_committed(session: Session, enrolment_id: str) -> Reservation | None:
    """The enrolment's committed reservation, locked (None if it has none)."""
    return session.scalar(select(Reservation).where(
        Reservation.enrolment_id == enrolment_id, Reservation.status == "committed")
        .with_for_update().execution_options(populate_existing=True))


def step(session: Session, reservation: Reservation, action: str, *, actor: str,
         reason: str | None) -> None:
    """Commit, release or reverse: one ledger row per line, the new state, the event."""
    kind, prefix = STEPS[action]
    for line in reservation.lines:
        ledger.append(session, line.fund_id, kind, line.units,
                      f"{prefix}:{reservation.id}:{line.offer_id}", actor=actor,
                      reservation_id=reservation.id, sme_id=reservation.sme_id, reason=reason)
    _announce(session, reservation, action, actor=actor, reason=reason)


def late_commit(session: Session, reservation: Reservation, *, actor: str) -> bool:
    """Take a released reservation's money again and commit it; False if a fund lacks it."""
    ledger.lock_funds(session, [line.fund_id for line in reservation.lines])
    try:
        with session.begin_nested():
            for line in reservation.lines:
                ledger.append(session, line.fund_id, "reservation", line.units,
                              f"reserve-late:{reservation.id}:{line.offer_id}", actor=actor,
                              reservation_id=reservation.id, sme_id=reservation.sme_id)
                ledger.append(session, line.fund_id, "commit", line.units,
                              f"commit:{reservation.id}:{line.offer_id}", actor=actor,
                              reservation_id=reservation.id, sme_id=reservation.sme_id)
    except ledger.InsufficientFunds:
        return False
    _announce(session, reservation, "late_commit", actor=actor,
              reason="paid after the hold lapsed")
    return True


def _announce(session: Session, reservation: Reservation, action: str, *, actor: str,
              reason: str | None) -> None:
    reservation.transition(action, reason, clock.now())
    session.flush()
    publish(session, STEP_EVENTS[action], reservation.id,
            events.reservation_payload(reservation, actor), providerid=reservation.provider_id)


def get_reservation(db: Database, principal: Principal, reservation_id: str) -> Reservation:
    """A reservation its SME, provider, paying sponsors, auditors or admins may see."""
    with db.reading() as session:
        reservation = load(session, Reservation, reservation_id)
        if not access.reads_reservation(principal, reservation):
            raise NotFound("no such reservation")
        return reservation


def list_reservations(db: Database, principal: Principal, args: dict[str, Any]) -> dict[str, Any]:
    """The reservations the caller may see, newest first, filtered."""
    query = select(Reservation)
    for name in ("status", "sme_id", "provider_id", "enrolment_id", "session_id"):
        if args.get(name):
            query = query.where(getattr(Reservation, name) == args[name])
    if args.get("sponsor_id"):
        query = query.where(_paid_by(args["sponsor_id"]))
    if not principal.reads_everything:
        if principal.role == "sme_user":
            query = query.where(Reservation.sme_id == principal.org)
        elif principal.role == "provider_staff":
            query = query.where(Reservation.provider_id == principal.org)
        elif principal.role == "sponsor_staff" and principal.org is not None:
            query = query.where(_paid_by(principal.org))
        else:
            query = query.where(Reservation.id.is_(None))
    with db.reading() as session:
        return newest_first(session, query, Reservation, args)


def _paid_by(sponsor_id: str):
    return exists().where(ReservationLine.reservation_id == Reservation.id,
                          ReservationLine.sponsor_id == sponsor_id)
