"""The sessions read model: catalog's session events kept as :class:`OfferedSession` rows.

Enrolment never calls the catalog; it keeps what it needs from
``score.catalog.session.*`` (published, updated, cancelled, started, completed).
Every event carries the session's full state, so applying one is an upsert of
everything **except** ``seats_held`` and ``seats_confirmed``: those are this
service's own counters, moved only by :mod:`.seats`.

What follows a change, in the same (inbox) transaction:

- capacity up, or any change of a published session: free seats go to the
  waitlist (:func:`waitlist.promote`); entries of a closed session lapse;
- cancelled: every open enrolment is cancelled with a full refund
  (:func:`cancellation.cancel_for_session`), exactly once – the inbox drops a
  redelivered event and a cancelled enrolment is never cancelled again.

A capacity cut below the seats already held and confirmed is recorded as it
is: nobody loses a seat, new holds are refused until enough are released (the
hold statement's ``seats_held + seats_confirmed + n <= capacity``).

Lock order (PostgreSQL): enrolment rows, then the session row, then waitlist
rows – as in every use case here – so a cancellation never deadlocks with the
reaper or a payment confirming one of the same enrolments.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.enrolment import lifecycle
from services.enrolment.config import EnrolmentPolicy
from services.enrolment.models import Enrolment, OfferedSession
from services.enrolment.service import cancellation, waitlist
from shared.auth import Principal
from shared.db import Database
from shared.errors import NotFound

log = logging.getLogger(__name__)

# How far along catalog's session lifecycle a state is: an event about an earlier
# state than the one we hold (a replay, a redelivery after a rebalance) is stale
# and must not reopen a session that started, completed or was cancelled.
STAGE = {"draft": 0, "published": 1, "in_progress": 2, "completed": 3, "cancelled": 3}
# Payload fields copied as they are (the payload's session_id is our primary key).
COPIED = ("provider_id", "course_id", "module_code", "title_id", "title_en", "start_date",
          "end_date", "enrolment_deadline", "city", "province_code", "capacity",
          "price_per_participant", "max_participants_per_enterprise", "trainers",
          "ilo_supervised", "estimated_delivery_cost", "classroom_days",
          "consultancy_visits", "status")


def apply_session(session: Session, data: dict[str, Any], *, actor: str,
                  policy: EnrolmentPolicy) -> OfferedSession | None:
    """Upsert the session of a catalog event, then cancel or promote as its change requires.

    Returns the row, or None when the event is older than what we hold (ignored).
    """
    session_id = data["session_id"]
    if data["status"] in ("cancelled", "completed"):
        # Enrolment rows first (the lock order), before the session row: cancelling and
        # completing both change them after the session row is locked below.
        _open_enrolments(session, session_id, lock=True)
    offered = session.get(OfferedSession, session_id, with_for_update=True,
                          populate_existing=True)
    if offered is not None and _stale(offered.status, data["status"]):
        log.warning("stale catalog session event ignored",
                    extra={"session_id": session_id, "status": data["status"],
                           "current": offered.status})
        return None
    fields = {name: data[name] for name in COPIED}
    if offered is None:
        offered = OfferedSession(id=session_id, seats_held=0, seats_confirmed=0, **fields)
        session.add(offered)
    else:
        for name, value in fields.items():
            if getattr(offered, name) != value:
                setattr(offered, name, value)
    session.flush()
    if offered.status == "cancelled":
        _cancel_enrolments(session, offered, actor=actor, reason=data.get("reason"),
                           policy=policy)
    # Freed capacity goes to waiting teams; a session no longer open lapses them.
    waitlist.promote(session, session_id, actor=actor, policy=policy)
    return offered


def _stale(current: str, incoming: str) -> bool:
    if current in ("completed", "cancelled"):
        return incoming != current
    return STAGE.get(incoming, 0) < STAGE.get(current, 0)


def _open_enrolments(session: Session, session_id: str, *, lock: bool) -> list[Enrolment]:
    query = (select(Enrolment).where(
        Enrolment.session_id == session_id,
        Enrolment.status.in_((*lifecycle.SEAT_HOLDING_STATES, "confirmed")))
        .order_by(Enrolment.id))
    return list(session.scalars(query.with_for_update() if lock else query))


def _cancel_enrolments(session: Session, offered: OfferedSession, *, actor: str,
                       reason: str | None, policy: EnrolmentPolicy) -> int:
    enrolments = _open_enrolments(session, offered.id, lock=True)
    why = f"session cancelled: {reason}" if reason else "session cancelled"
    for enrolment in enrolments:
        cancellation.cancel_for_session(session, enrolment, actor, why, policy=policy)
    return len(enrolments)


def get_offered_session(db: Database, principal: Principal, session_id: str) -> OfferedSession:
    """A session as enrolment knows it, with its seat counters (any signed-in caller)."""
    del principal  # every authenticated role may read the read model
    with db.reading() as session:
        offered = session.get(OfferedSession, session_id)
        if offered is None:
            raise NotFound("no such session")
        return offered
