"""The ingest job: every ``score.*`` topic, read as raw records, appended to the log.

One leader per audit database (:mod:`shared.jobs`): its leadership makes it the
only writer, which the dense ``seq`` needs. The leader holds one consumer in
group ``score-audit`` subscribed to a topic *pattern*, so a new service's topic
is logged without a change here, and dead-letter topics (``<topic>.dlq.<group>``,
copies of events already logged) never are.

Each round polls a large batch, appends it in one transaction and then commits
the offsets – at least once: a crash between the two delivers the batch again,
and the append's de-duplication by event id absorbs it. On an error, and when
this process stops leading, the consumer is dropped (it leaves the group), so
whoever leads next resumes from the last committed offsets with every partition.
"""

from __future__ import annotations

import logging
import threading

from services.audit.ingest.append import append
from shared.db import Database
from shared.events.bus import Bus, BusConsumer
from shared.jobs import Job, JobContext, PeriodicJob

log = logging.getLogger(__name__)

GROUP = "score-audit"
# Every service's topic (``score.<service>``): dots are not allowed after the
# first, so ``<topic>.dlq.<group>`` never matches.
TOPICS = r"^score\.[a-z0-9_]+$"
# Records per transaction: large batches are what makes the log keep up with the bus.
BATCH = 2000
# How long an idle poll waits for records (the job's heartbeat beats between polls).
POLL_MS = 1000
# How often a standby tries to become the leader.
STANDBY_INTERVAL_S = 1.0


class Ingest:
    """The leader's consumer and its rounds: poll, append, commit."""

    def __init__(self, db: Database, bus: Bus, *, group: str = GROUP, batch: int = BATCH,
                 poll_ms: int = POLL_MS) -> None:
        self.db, self.bus, self.group = db, bus, group
        self.batch, self.poll_ms = batch, poll_ms
        # Set after an empty poll: that poll was the wait, so the job polls again at once.
        self.idle = threading.Event()
        self._consumer: BusConsumer | None = None

    def round(self) -> int:
        """Append one batch of records to the log; how many records it took."""
        if self._consumer is None:
            self._consumer = self.bus.pattern_consumer(self.group, TOPICS)
        try:
            records = self._consumer.poll(timeout_ms=self.poll_ms, max_records=self.batch)
            if not records:
                self.idle.set()
                return 0
            with self.db.transaction() as session:
                appended = append(session, records)
            self._consumer.commit_soon(records)
        except Exception:
            self.drop()
            raise
        log.debug("ingested", extra={"records": len(records), "stored": appended.stored,
                                     "duplicates": appended.duplicates,
                                     "rejected": appended.rejected})
        return len(records)

    def drop(self) -> None:
        """Leave the group (waiting for commits on their way); the next round rejoins."""
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.close()


def build(context: JobContext, group: str = GROUP) -> PeriodicJob:
    """The ingest as a job of the audit service (``group``: another one for tests)."""
    ingest = Ingest(context.db, context.bus, group=group)
    # batch=1: any round that took records runs again at once.
    return PeriodicJob(context.db, "audit", "ingest", ingest.round,
                       interval_s=STANDBY_INTERVAL_S, batch=1, heartbeat=context.heartbeat,
                       wake=ingest.idle, step_down=ingest.drop)


INGEST_JOB = Job("ingest", build, "append every score.* topic's events to the log (one leader)")
