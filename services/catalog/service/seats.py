"""The seats read model: seats taken per session, from enrolment events.

Each enrolment's claim is kept in ``seat_claims``, so the counter moves exactly
once per enrolment whatever the delivery order:

- confirmed, first seen: claim its seats (counter += participants);
- confirmed again: nothing (already claimed, or already cancelled);
- cancelled after confirmed: release exactly the seats the claim took;
- cancelled first (reordered): remember a cancelled claim; the late confirm
  then changes nothing – a cancelled enrolment never holds seats.

The inbox already drops a redelivered event id; the ledger also makes a second
event *about the same enrolment* harmless. Events about a session the catalog
does not know are recorded in the ledger only.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.catalog import search_freshness
from services.catalog.models import SeatClaim, TrainingSession

log = logging.getLogger(__name__)


def enrolment_confirmed(session: Session, enrolment_id: str, session_id: str,
                        participants: int) -> None:
    """An enrolment holds ``participants`` seats of ``session_id``."""
    claim = _claim(session, enrolment_id)
    if claim is not None:
        return
    session.add(SeatClaim(enrolment_id=enrolment_id, session_id=session_id,
                          participants=participants, state="confirmed"))
    _move(session, session_id, participants)


def enrolment_cancelled(session: Session, enrolment_id: str, session_id: str,
                        participants: int) -> None:
    """An enrolment gives back the seats it held (if it held any)."""
    claim = _claim(session, enrolment_id)
    if claim is None:
        session.add(SeatClaim(enrolment_id=enrolment_id, session_id=session_id,
                              participants=participants, state="cancelled"))
        return
    if claim.state == "confirmed":
        claim.state = "cancelled"
        _move(session, claim.session_id, -claim.participants)


def _claim(session: Session, enrolment_id: str) -> SeatClaim | None:
    query = select(SeatClaim).where(SeatClaim.enrolment_id == enrolment_id).with_for_update()
    return session.scalars(query).one_or_none()


def _move(session: Session, session_id: str, delta: int) -> None:
    # One atomic UPDATE: concurrent API edits of the session cannot lose it. It says
    # it moves seats only, so cached search pages patch the count instead of dropping.
    moved = session.execute(update(TrainingSession).where(TrainingSession.id == session_id)
                            .values(seats_taken=TrainingSession.seats_taken + delta)
                            .execution_options(**search_freshness.SEATS_ONLY)).rowcount
    if not moved:
        log.warning("seat event for an unknown session", extra={"session_id": session_id})
