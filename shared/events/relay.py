"""The outbox relay: moves committed outbox rows to the bus, in order, at least once.

Each round locks a batch of unsent rows (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL), sends them, waits until the bus has acknowledged every one, and
only then marks them sent in the same transaction. A crash between send and
mark re-sends the batch next time; consumers de-duplicate by event id.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from sqlalchemy import exists, select, update
from sqlalchemy.exc import SQLAlchemyError

from shared.db import Database
from shared.events.bus import Bus, BusError, BusProducer
from shared.events.envelope import CONTENT_TYPE
from shared.events.leader import Leadership
from shared.events.outbox import NOTIFY_CHANNEL
from shared.events.tables import outbox
from shared.faults import fault_point

log = logging.getLogger(__name__)


class Relay:
    """Publishes one service's outbox."""

    DEFAULT_BATCH_SIZE = 500

    def __init__(self, db: Database, bus: Bus, service: str, *,
                 batch_size: int = DEFAULT_BATCH_SIZE, poll_ms: int = 100) -> None:
        self.db = db
        self.bus = bus
        self.service = service
        self.batch_size = batch_size
        self.poll_s = min(poll_ms, 100) / 1000
        self.leadership = Leadership(db.engine, f"relay-{service}")
        self._producer: BusProducer | None = None
        self._waiter: _Listener | None = None

    def run(self, stop: threading.Event) -> None:
        """Relay until ``stop`` is set; survives database and bus outages."""
        log.info("relay started", extra={"service": self.service, "bus": self.bus.name})
        try:
            while not stop.is_set():
                if not self.leadership.acquire():
                    stop.wait(1.0)
                    continue
                try:
                    if self.relay_once() == 0:
                        self._wait(stop)
                except (BusError, SQLAlchemyError) as exc:
                    log.warning("relay round failed; retrying", extra={"error": str(exc)})
                    self._reset()
                    stop.wait(1.0)
        finally:
            self._reset()
            log.info("relay stopped", extra={"service": self.service})

    def relay_once(self) -> int:
        """Send one batch of unsent rows and mark them sent; returns how many."""
        if not self._has_unsent():
            return 0
        producer = self._get_producer()
        with self.db.transaction() as session:
            query = (select(outbox.c.id, outbox.c.topic, outbox.c.key, outbox.c.payload,
                            outbox.c.event_id, outbox.c.type)
                     .where(outbox.c.sent_at.is_(None))
                     .order_by(outbox.c.id).limit(self.batch_size))
            if self.db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = session.execute(query).all()
            if not rows:
                return 0
            for row in rows:
                producer.send(row.topic, row.key, row.payload, {
                    "content-type": CONTENT_TYPE.encode(),
                    "ce_id": row.event_id.encode(),
                    "ce_type": row.type.encode(),
                })
            producer.flush()
            fault_point("relay.after_send")
            session.execute(update(outbox).where(outbox.c.id.in_([r.id for r in rows]))
                            .values(sent_at=dt.datetime.now(dt.UTC)))
        return len(rows)

    def _has_unsent(self) -> bool:
        # A cheap read first, so an idle relay never takes SQLite's write lock.
        with self.db.reading() as session:
            return bool(session.scalar(select(exists().where(outbox.c.sent_at.is_(None)))))

    def _get_producer(self) -> BusProducer:
        if self._producer is None:
            self._producer = self.bus.producer()
        return self._producer

    def _wait(self, stop: threading.Event) -> None:
        """Sleep until NOTIFY (PostgreSQL) or at most one poll interval."""
        if self.db.dialect != "postgresql":
            stop.wait(self.poll_s)
            return
        if self._waiter is None:
            self._waiter = _Listener(self.db)
        self._waiter.wait(self.poll_s)

    def close(self) -> None:
        """Release the producer, the listener and leadership."""
        self._reset()

    def _reset(self) -> None:
        for closeable in (self._producer, self._waiter):
            if closeable is not None:
                try:
                    closeable.close()
                except Exception:
                    log.debug("close failed", exc_info=True)
        self._producer = self._waiter = None
        self.leadership.release()


class _Listener:
    """A dedicated autocommit psycopg connection LISTENing on the outbox channel."""

    def __init__(self, db: Database) -> None:
        import psycopg

        url = db.engine.url.set(drivername="postgresql")
        self._conn = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
        self._conn.execute(f"LISTEN {NOTIFY_CHANNEL}")

    def wait(self, timeout_s: float) -> None:
        for _ in self._conn.notifies(timeout=timeout_s, stop_after=1):
            pass

    def close(self) -> None:
        self._conn.close()
