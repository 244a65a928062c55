"""The expiry job: a certification whose validity ended becomes ``expired``, announced.

A credential carries its own ``validUntil``, so verifiers see the end without us;
but catalog accepts a session's lead only while certification says ``certified``,
and that status changes only by an event. Each day the job moves every certified
module whose ``valid_until`` has come (Jakarta) to ``expired`` – each in its own
transaction, checked again under the row lock. Suspended certifications expire
when they are reinstated (:mod:`.decisions`), never while suspended.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from services.certification.models import ModuleStatus
from services.certification.service import progress
from shared import clock
from shared.db import Database
from shared.jobs import Job, JobContext, PeriodicJob

log = logging.getLogger(__name__)

BATCH = 100
ACTOR = "system:expiry"
INTERVAL_S = 300.0  # validity ends on a day: a few minutes late is on time


def due(db: Database, limit: int = BATCH) -> list[tuple[str, str]]:
    """Certified modules whose validity has ended, the longest ended first."""
    with db.reading() as session:
        rows = session.execute(
            select(ModuleStatus.trainer_id, ModuleStatus.module_code)
            .where(ModuleStatus.status == "certified",
                   ModuleStatus.valid_until <= clock.today())
            .order_by(ModuleStatus.valid_until).limit(limit))
        return [(trainer_id, module_code) for trainer_id, module_code in rows]


def expire_if_due(db: Database, trainer_id: str, module_code: str) -> bool:
    """Expire one certification if – checked under its row lock – its validity ended."""
    with db.transaction() as session:
        status = session.get(ModuleStatus, (trainer_id, module_code), with_for_update=True,
                             populate_existing=True)
        if (status is None or status.status != "certified" or status.valid_until is None
                or status.valid_until > clock.today()):
            return False
        progress.move(session, status, "expire", actor=ACTOR,
                      reason=f"validity ended {status.valid_until.isoformat()}")
        return True


def expire_due(db: Database, limit: int = BATCH) -> int:
    """One round: expire up to ``limit`` certifications; returns how many."""
    expired = 0
    for trainer_id, module_code in due(db, limit):
        try:
            expired += expire_if_due(db, trainer_id, module_code)
        except Exception:  # one bad row must not hold back the others
            log.exception("could not expire a certification",
                          extra={"trainer_id": trainer_id, "module_code": module_code})
    if expired:
        log.info("certifications expired", extra={"expired": expired})
    return expired


def build_expiry(context: JobContext) -> PeriodicJob:
    """The expiry job of a service process (``score job certification expiry``)."""
    return PeriodicJob(context.db, "certification", "expiry", lambda: expire_due(context.db),
                       interval_s=INTERVAL_S, batch=BATCH, heartbeat=context.heartbeat)


EXPIRY_JOB = Job("expiry", build_expiry, "expires certifications whose validity ended")
