"""The seats read model: seats taken per session (held + confirmed), from enrolment events.

Enrolment holds seats while an SME pays, then confirms or releases them. The
catalog counts held seats as taken, so public search never advertises a seat
that cannot be bought. Each hold is one claim in ``seat_claims`` (keyed by the
event's ``hold_id``; an enrolment's first hold has its enrolment id), so the
counter moves exactly once per claim whatever the delivery order:

- held, first seen: claim its seats (counter += participants);
- confirmed, first seen: claim them as confirmed (the hold was never seen);
- confirmed after held: the claim becomes confirmed, the counter does not move;
- held or confirmed after release, or held after confirmed: nothing;
- cancelled or expired after held/confirmed: release exactly the seats claimed;
- cancelled or expired first (reordered): remember a released claim, so a late
  held or confirmed changes nothing – a released hold never takes seats again.
  (Enrolment re-takes seats for a late payment under a *new* hold id.)

The inbox already drops a redelivered event id; the ledger also makes a second
event *about the same hold* harmless. Events about a session the catalog
does not know are recorded in the ledger only.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from services.catalog import search_freshness
from services.catalog.models import SeatClaim, TrainingSession

log = logging.getLogger(__name__)

HELD, CONFIRMED, RELEASED = "held", "confirmed", "released"


def seats_held(session: Session, hold_id: str, enrolment_id: str, session_id: str,
               participants: int) -> None:
    """An enrolment holds ``participants`` seats of ``session_id`` until it pays or expires."""
    if _claim(session, hold_id) is None:
        _take(session, hold_id, enrolment_id, session_id, participants, HELD)


def enrolment_confirmed(session: Session, hold_id: str, enrolment_id: str, session_id: str,
                        participants: int) -> None:
    """A paid enrolment keeps its seats."""
    claim = _claim(session, hold_id)
    if claim is None:
        _take(session, hold_id, enrolment_id, session_id, participants, CONFIRMED)
    elif claim.state == HELD:
        claim.state = CONFIRMED


def seats_released(session: Session, hold_id: str, enrolment_id: str, session_id: str,
                   participants: int) -> None:
    """A cancelled or expired enrolment gives back the seats it held (if it held any)."""
    claim = _claim(session, hold_id)
    if claim is None:
        session.add(SeatClaim(hold_id=hold_id, enrolment_id=enrolment_id, session_id=session_id,
                              participants=participants, state=RELEASED))
    elif claim.state != RELEASED:
        claim.state = RELEASED
        _move(session, claim.session_id, -claim.participants)


def _take(session: Session, hold_id: str, enrolment_id: str, session_id: str,
          participants: int, state: str) -> None:
    session.add(SeatClaim(hold_id=hold_id, enrolment_id=enrolment_id, session_id=session_id,
                          participants=participants, state=state))
    _move(session, session_id, participants)


def _claim(session: Session, hold_id: str) -> SeatClaim | None:
    query = select(SeatClaim).where(SeatClaim.hold_id == hold_id).with_for_update()
    return session.scalars(query).one_or_none()


def _move(session: Session, session_id: str, delta: int) -> None:
    # One atomic UPDATE: concurrent API edits of the session cannot lose it. It says
    # it moves seats only, so cached search pages patch the count instead of dropping.
    result = session.execute(update(TrainingSession).where(TrainingSession.id == session_id)
                             .values(seats_taken=TrainingSession.seats_taken + delta)
                             .execution_options(**search_freshness.SEATS_ONLY))
    moved = cast("CursorResult[Any]", result).rowcount
    if not moved:
        log.warning("seat event for an unknown session", extra={"session_id": session_id})
