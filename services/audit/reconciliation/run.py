"""Reconcile: project the log, read every service, store and publish the differences.

The log is read first (its size is the run's ``log_size``), then the services:
an event a service published after that moment but the log has not logged yet
shows as a difference of this run and is gone in the next. A service that cannot
be read is named in the run's ``unread`` with the reason, and none of its
entities is compared – a run never fails for a service being down.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Callable, Mapping

from sqlalchemy import insert, select

from services.audit import events
from services.audit.models import Difference, Entry, ReconciliationRun
from services.audit.reconciliation.client import ReadFailed
from services.audit.reconciliation.compare import Found, compare
from services.audit.reconciliation.kinds import KINDS, Kind, Reader
from services.audit.reconciliation.projection import project
from shared import clock
from shared.db import Database
from shared.events import publish

log = logging.getLogger(__name__)
SCHEDULE, ADMIN = "schedule", "admin"


@dataclasses.dataclass(frozen=True)
class Sources:
    """The services' readers for one run: ``readers[service]`` or why there is none."""

    readers: Mapping[str, Reader]
    unread: Mapping[str, str]


def reconcile(db: Database, open_sources: Callable[[], Sources], trigger: str,
              requested_by: str | None = None,
              kinds: tuple[Kind, ...] = KINDS) -> ReconciliationRun:
    """One run over ``kinds``: stored with its differences, and announced."""
    started = clock.now()
    projectors = {kind: kind.projector() for kind in kinds}
    with db.reading() as session:
        rows = session.execute(select(Entry.seq, Entry.event).order_by(Entry.seq)
                               .execution_options(yield_per=1000))
        log_size = project(((row.seq, row.event) for row in rows), projectors.values())
    sources = open_sources()
    unread = dict(sources.unread)
    seen: dict[str, dict] = {}
    found: list[Found] = []
    entities = 0
    for kind in kinds:
        if kind.service in unread:
            continue
        try:
            observed = kind.observe(sources.readers[kind.service], seen)
        except ReadFailed as failed:
            log.warning("reconciliation could not read %s %s: %s", kind.service,
                        kind.endpoint, failed)
            unread[kind.service] = failed.reason
            continue
        seen[kind.entity] = observed
        logged = projectors[kind].entities
        entities += len(set(logged) | set(observed))
        found.extend(compare(kind, logged, observed))
    # Kinds of a service that failed later in the run are not reported half-compared.
    found = [difference for difference in found if difference.service not in unread]
    return _store(db, trigger, requested_by, started, log_size, entities, found, unread)


def _store(db: Database, trigger: str, requested_by: str | None, started, log_size: int,
           entities: int, found: list[Found], unread: dict[str, str]) -> ReconciliationRun:
    with db.transaction() as session:
        run = ReconciliationRun(id=str(uuid.uuid4()), trigger=trigger,
                                requested_by=requested_by, created_at=started,
                                completed_at=clock.now(), log_size=log_size,
                                entities=entities, differences=len(found), unread=unread)
        session.add(run)
        session.flush()
        if found:
            session.execute(insert(Difference), [
                {"run_id": run.id, **dataclasses.asdict(difference)} for difference in found])
        publish(session, events.RECONCILIATION_COMPLETED, run.id, events.run_payload(run))
    log.info("reconciliation %s: %s entities, %s differences, unread %s", run.id, entities,
             len(found), unread or "none")
    return run
