"""The outbox relay: moves committed outbox rows to the bus, in order, at least once.

Each round locks a batch of unsent rows (``FOR UPDATE`` on PostgreSQL, the
write lock on SQLite), sends them, waits until the bus has acknowledged every
one, and only then marks them sent in the same transaction – on PostgreSQL
while the next round already runs (:mod:`shared.events.marking`). A crash
between send and mark re-sends the batch next time; consumers de-duplicate by
event id.

The producer is created, and the service's topics looked up, as soon as the
relay leads, so the first event does not wait for either.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import BigInteger, all_, bindparam, exists, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import SQLAlchemyError

from shared.db import Database
from shared.events.bus import Bus, BusError, BusProducer
from shared.events.envelope import CONTENT_TYPE
from shared.events.leader import Leadership
from shared.events.link import BusLink
from shared.events.marking import SentMarker
from shared.events.outbox import NOTIFY_CHANNEL
from shared.events.tables import outbox
from shared.faults import fault_point
from shared.heartbeat import Heartbeat

log = logging.getLogger(__name__)


class Relay:
    """Publishes one service's outbox."""

    DEFAULT_BATCH_SIZE = 500
    # An idle relay checks the bus this often, so an outage shows in its log and metrics
    # before the next event needs it.
    PROBE_INTERVAL_S = 30.0

    def __init__(self, db: Database, bus: Bus, service: str, *,
                 batch_size: int = DEFAULT_BATCH_SIZE, poll_ms: int = 1000,
                 topics: set[str] | None = None, link: BusLink | None = None,
                 heartbeat: Heartbeat | None = None) -> None:
        self.db = db
        self.bus = bus
        self.service = service
        self.topics = topics or set()
        self.batch_size = batch_size
        # Commits wake the relay (Database.commits in this process, NOTIFY across
        # processes on PostgreSQL): polling is only the fallback.
        self.poll_s = poll_ms / 1000
        self.leadership = Leadership(db.engine, f"relay-{service}")
        self.link = link or BusLink("relay")
        self.database = BusLink("relay", subject="database")
        self.heartbeat = heartbeat or Heartbeat()
        self._producer: BusProducer | None = None
        self._waiter: _Listener | None = None
        self._marker = SentMarker(background=db.dialect == "postgresql", name=service)
        self._unsent = self._unsent_query()
        self._last_contact = time.monotonic()

    def run(self, stop: threading.Event) -> None:
        """Relay until ``stop`` is set; rides out database and bus outages of any length."""
        log.info("relay started", extra={"service": self.service, "bus": self.bus.name})
        try:
            while not stop.is_set():
                self.heartbeat.beat()
                self._turn(stop)
        finally:
            self.close()
            log.info("relay stopped", extra={"service": self.service})

    def _turn(self, stop: threading.Event) -> None:
        """Lead, connect, relay one batch – or wait for the next commit or retry."""
        seen = self.db.commits.rings
        try:
            if not self.leadership.acquire():
                self._pause(stop, 1.0)
                return
            self._connected_producer()
            self._listen()
            sent = self.relay_once()
            if sent == 0 and time.monotonic() - self._last_contact > self.PROBE_INTERVAL_S:
                self.bus.ping()
                self._last_contact = time.monotonic()
        except BusError as exc:
            # Keep leadership: a standby could do no better while the bus is away.
            self._drop_producer()
            self._pause(stop, self.link.down(exc))
            return
        except SQLAlchemyError as exc:
            self._reset()
            self._pause(stop, self.database.down(exc))
            return
        self.link.up()
        self.database.up()
        if sent < self.batch_size:
            # The outbox held no more when we looked; a commit since has rung or notified.
            self._wait(stop, seen)

    def _connected_producer(self) -> BusProducer:
        # Created as soon as we lead, so a relay started without a broker says so at once.
        if self._producer is None:
            self._producer = self.bus.producer()
            self._producer.prepare(self.topics)
            self._last_contact = time.monotonic()
        return self._producer

    def _pause(self, stop: threading.Event, seconds: float) -> None:
        """Wait ``seconds`` (or until stopped), keeping the heartbeat fresh."""
        deadline = time.monotonic() + seconds
        while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
            self.heartbeat.beat()
            stop.wait(min(left, 5.0))

    def relay_once(self) -> int:
        """Send one batch of unsent rows and have them marked sent; returns how many."""
        # SQLite: a cheap read first, so an idle relay never takes the write lock.
        # PostgreSQL's locking select costs no more than that read when nothing is unsent.
        if self.db.dialect != "postgresql" and not self._has_unsent():
            return 0
        producer = self._connected_producer()
        # Core, not an ORM session: this runs for every event.
        connection = self.db.engine.connect()
        try:
            rows = connection.execute(self._unsent,
                                      {"in_flight": list(self._marker.in_flight())}).all()
            for row in rows:
                producer.send(row.topic, row.key, row.payload, {
                    "content-type": CONTENT_TYPE.encode(),
                    "ce_id": row.event_id.encode(),
                    "ce_type": row.type.encode(),
                })
            if rows:
                producer.flush()
                fault_point("relay.after_send")
                self._marker.hand_over(connection, [r.id for r in rows])
                self._last_contact = time.monotonic()
        except BaseException:
            connection.close()  # rolls back: the rows stay unsent
            raise
        if not rows:
            connection.close()
        return len(rows)

    def _unsent_query(self):
        # Built once: it runs on every round. Rows still being marked are left out.
        postgres = self.db.dialect == "postgresql"
        # PostgreSQL: the in-flight ids as one array parameter, so the statement's text
        # never changes and is not re-rendered and re-parsed every round (see marking).
        in_flight = (outbox.c.id != all_(bindparam("in_flight", type_=ARRAY(BigInteger)))
                     if postgres else
                     outbox.c.id.not_in(bindparam("in_flight", expanding=True)))
        query = (select(outbox.c.id, outbox.c.topic, outbox.c.key, outbox.c.payload,
                        outbox.c.event_id, outbox.c.type)
                 .where(outbox.c.sent_at.is_(None), in_flight)
                 .order_by(outbox.c.id).limit(self.batch_size))
        if postgres:
            # Not SKIP LOCKED: a relay that has just taken over waits for the last
            # round of the leader it replaces, so their batches never interleave.
            query = query.with_for_update()
        return query

    def _has_unsent(self) -> bool:
        with self.db.reading() as session:
            return bool(session.scalar(select(exists().where(outbox.c.sent_at.is_(None)))))

    def _listen(self) -> None:
        # LISTEN before looking for rows: a NOTIFY in between is then queued, not lost.
        if self.db.dialect != "postgresql" or self._waiter is not None:
            return
        try:
            self._waiter = _Listener(self.db)
        except Exception as exc:  # psycopg's own errors: the database is away; poll instead
            log.debug("outbox listener failed", extra={"error": str(exc)})

    def _wait(self, stop: threading.Event, seen: int) -> None:
        """Sleep until the next outbox commit (or at most one poll interval)."""
        if self.db.dialect != "postgresql":
            self.db.commits.wait(seen, self.poll_s)
            return
        if self._waiter is None:
            stop.wait(self.poll_s)
            return
        try:
            self._waiter.wait(self.poll_s)
        except Exception as exc:  # psycopg's own errors: the database is away; poll instead
            log.debug("outbox listener failed", extra={"error": str(exc)})
            self._close(self._waiter)
            self._waiter = None
            stop.wait(self.poll_s)

    def close(self) -> None:
        """Release the producer, the listener, the marking thread and leadership."""
        self._reset()
        self._marker.close()

    def _drop_producer(self) -> None:
        self._close(self._producer)
        self._producer = None

    def _reset(self) -> None:
        try:
            self._marker.wait()  # before stepping down: a successor must not re-send it
        except SQLAlchemyError as exc:
            log.warning("marking a batch sent failed; it will be sent again",
                        extra={"error": str(exc)[:300]})
        self._drop_producer()
        self._close(self._waiter)
        self._waiter = None
        self.leadership.release()

    @staticmethod
    def _close(closeable: BusProducer | _Listener | None) -> None:
        if closeable is not None:
            try:
                closeable.close()
            except Exception:
                log.debug("close failed", exc_info=True)


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
