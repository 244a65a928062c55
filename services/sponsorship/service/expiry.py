"""The reaper: releases reservations whose hold lapsed and nobody said so.

Enrolment's ``enrolment.expired`` normally releases a reservation at once; the
reaper catches what no event will: a reservation made after enrolment gave up
waiting for the quote (it then charged full price and named no reservation), or
a hold whose enrolment never came back. It releases reservations still
``reserved`` ``reservation_grace_s`` after their ``expires_at``, each in its own
transaction under its row lock (checked again there).
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from services.sponsorship.config import SponsorshipPolicy, load_policy
from services.sponsorship.models import Reservation
from services.sponsorship.service import reservations
from shared import clock
from shared.db import Database
from shared.jobs import Job, JobContext, PeriodicJob

log = logging.getLogger(__name__)

BATCH = 100
REAPER = "system:reaper"


def lapsed_ids(db: Database, policy: SponsorshipPolicy, limit: int = BATCH) -> list[str]:
    """Up to ``limit`` lapsed reservations, the longest lapsed first."""
    cutoff = clock.now() - dt.timedelta(seconds=policy.reservation_grace_s)
    with db.reading() as session:
        return list(session.scalars(
            select(Reservation.id).where(Reservation.status == "reserved",
                                         Reservation.expires_at <= cutoff)
            .order_by(Reservation.expires_at).limit(limit)))


def release_if_lapsed(db: Database, reservation_id: str, policy: SponsorshipPolicy) -> bool:
    """Release one reservation if – checked under its row lock – it has lapsed."""
    cutoff = clock.now() - dt.timedelta(seconds=policy.reservation_grace_s)
    with db.transaction() as session:
        found = session.scalar(select(Reservation).where(Reservation.id == reservation_id)
                               .with_for_update())
        if found is None or found.status != "reserved" or found.expires_at > cutoff:
            return False
        reservations.step(session, found, "release", actor=REAPER,
                          reason="the seat hold lapsed without a confirmation")
        return True


def reap(db: Database, policy: SponsorshipPolicy, limit: int = BATCH) -> int:
    """One round: release up to ``limit`` lapsed reservations; returns how many."""
    released = 0
    for reservation_id in lapsed_ids(db, policy, limit):
        try:
            released += release_if_lapsed(db, reservation_id, policy)
        except Exception:  # one bad row must not hold back the others
            log.exception("could not release a reservation",
                          extra={"reservation_id": reservation_id})
    if released:
        log.info("reservations released", extra={"released": released})
    return released


def build_reaper(context: JobContext) -> PeriodicJob:
    """The reaper job of a service process (``score job sponsorship reaper``)."""
    policy = load_policy(context.settings)
    return PeriodicJob(context.db, "sponsorship", "reaper", lambda: reap(context.db, policy),
                       interval_s=policy.reaper_interval_s, batch=BATCH,
                       heartbeat=context.heartbeat)


REAPER_JOB = Job("reaper", build_reaper, "releases reservations whose seat hold lapsed")
