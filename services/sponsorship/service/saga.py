"""What enrolment's events do to reservations (the saga of ``docs/SPONSORSHIP.md``).

| event | reservation |
|---|---|
| ``enrolment.confirmed``, ``sponsor_share > 0``, same reservation | reserved → committed |
| ``enrolment.confirmed``, ``sponsor_share = 0`` (enrolment fell back) | reserved → released |
| ``enrolment.confirmed`` after the reservation was released | taken again, committed (if it fits) |
| ``enrolment.expired`` / ``cancelled`` before confirmation | reserved → released |
| ``enrolment.cancelled`` after confirmation, ``payment.refunded`` | committed → reversed |
| ``enrolment.completed`` | marks the reservation completed (reports) |

A reversal is in full: sponsors pay for training delivered; a late-cancellation
fee is the SME's. Each handler runs in the inbox transaction.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.sponsorship.models import Reservation
from services.sponsorship.service import reservations

log = logging.getLogger(__name__)


def on_confirmed(session: Session, event) -> None:
    """Commit the hold's reservation, or release it when enrolment did not apply it."""
    data = event.data
    reservation = reservations.lock_by_hold(session, data["hold_id"])
    if reservation is None:
        if data["sponsor_share"] > 0:
            # The hold was re-taken after a late payment: its first hold has the money.
            reservation = _released_for(session, data["enrolment_id"], data.get("reservation_id"))
        if reservation is None:
            return
    # A sponsor share naming no reservation (a producer from before reservation_id) is
    # this hold's; one naming another reservation is not.
    applied = data["sponsor_share"] > 0 and data.get("reservation_id") in (None, reservation.id)
    actor = data["changed_by"]
    if reservation.status == "reserved":
        if applied:
            reservations.step(session, reservation, "commit", actor=actor, reason=None)
        else:
            reservations.step(session, reservation, "release", actor=actor,
                              reason="the enrolment was confirmed at full price")
    elif (reservation.status == "released" and applied
          and not reservations.late_commit(session, reservation, actor=actor)):
        # The provider is owed a share no fund has any more: say so loudly.
        log.error("a late-confirmed enrolment's sponsor share could not be taken again",
                  extra={"enrolment_id": data["enrolment_id"],
                         "reservation_id": reservation.id})


def _released_for(session: Session, enrolment_id: str,
                  reservation_id: str | None) -> Reservation | None:
    if reservation_id is None:
        return None
    return session.scalar(select(Reservation).where(
        Reservation.id == reservation_id, Reservation.enrolment_id == enrolment_id)
        .with_for_update())


def on_ended(session: Session, event) -> None:
    """An enrolment expired or was cancelled: release what it held, reverse what it paid."""
    data = event.data
    reason = f"the enrolment was {data['status']}"
    reservation = reservations.lock_by_hold(session, data["hold_id"])
    if reservation is not None and reservation.status == "reserved":
        reservations.step(session, reservation, "release", actor=data["changed_by"],
                          reason=reason)
        return
    committed = reservations.lock_committed(session, data["enrolment_id"])
    if committed is not None and data["status"] == "cancelled":
        reservations.step(session, committed, "reverse", actor=data["changed_by"],
                          reason=reason)


def on_refunded(session: Session, event) -> None:
    """The SME's payment was refunded: the sponsors' commitment is reversed too."""
    committed = reservations.lock_committed(session, event.data["enrolment_id"])
    if committed is not None:
        reservations.step(session, committed, "reverse", actor=event.data["changed_by"],
                          reason="the enrolment's payment was refunded")


def on_completed(session: Session, event) -> None:
    """The team finished the training the sponsors paid for (reports count completions)."""
    committed = session.scalar(select(Reservation).where(
        Reservation.enrolment_id == event.data["enrolment_id"],
        Reservation.status == "committed").with_for_update())
    if committed is not None:
        committed.completed = True
