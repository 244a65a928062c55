"""The consumer runner: applies each consumed event exactly once, or dead-letters it.

For every record: parse and validate; open a transaction; insert the event id
into the inbox (already there → a duplicate, skip); run the handler; commit.
(A polled batch whose records all apply shares one transaction: a consumer
that has fallen behind catches up with two round trips per batch, not per
record.)
Offsets are committed only after that, once per polled batch, without waiting
for the broker's answer (closing the consumer waits for what is on its way).
A failing handler is retried with backoff; after
``max_attempts`` the record goes to ``<topic>.dlq.<group>`` with its error
and the runner moves on. A record that cannot be parsed is dead-lettered at
once (retrying cannot fix it). No offset is committed for a record that was
neither applied nor dead-lettered.

When the bus or the database fails, the runner drops its bus consumer, waits
(capped exponential backoff, :class:`~shared.events.link.BusLink`) and
starts a new one, which resumes after the group's last commit: records of the
unfinished batch come again and the inbox skips those already applied.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time
from typing import Any

from sqlalchemy import bindparam, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from shared.db import Database
from shared.events.bus import Bus, BusConsumer, BusError, BusProducer, Message
from shared.events.envelope import EventEnvelope, MalformedEvent
from shared.events.link import BusLink
from shared.events.registry import EventSchemaError, Handler, Handlers
from shared.events.tables import dead_letters, inbox
from shared.faults import fault_point
from shared.heartbeat import Heartbeat
from shared.logs import event_context

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ReceivedEvent:
    """What a handler gets: the envelope's attributes and the validated payload."""

    id: str
    type: str
    source: str
    subject: str
    time: dt.datetime
    providerid: str | None
    data: dict[str, Any]


class Stopped(Exception):
    """Shutdown was requested while a record was still waiting for a retry."""


def dlq_topic(topic: str, group: str) -> str:
    """Where ``group``'s dead letters from ``topic`` go."""
    return f"{topic}.dlq.{group}"


class ConsumerRunner:
    """Consumes the topics of ``handlers`` as consumer group ``group``."""

    # How long one poll may wait for records: it returns as soon as one arrives.
    POLL_MS = 1000
    # An idle runner checks the bus this often, so an outage shows in its log and metrics.
    PROBE_INTERVAL_S = 30.0

    def __init__(self, db: Database, bus: Bus, group: str, handlers: Handlers, *,
                 max_attempts: int = 5, backoff_ms: int = 200, link: BusLink | None = None,
                 heartbeat: Heartbeat | None = None) -> None:
        self.db = db
        self.bus = bus
        self.group = group
        self.handlers = handlers
        self.max_attempts = max_attempts
        self.backoff_s = backoff_ms / 1000
        self.link = link or BusLink("consumer")
        self.database = BusLink("consumer", subject="database")
        self.heartbeat = heartbeat or Heartbeat()
        self.stats = {"applied": 0, "duplicate": 0, "ignored": 0, "dead_lettered": 0}
        self._consumer: BusConsumer | None = None
        self._dlq: BusProducer | None = None
        self._last_contact = time.monotonic()
        dialect = postgresql if db.dialect == "postgresql" else sqlite
        # Built once: it runs for every record. RETURNING, not rowcount: drivers
        # disagree on rowcount for DO NOTHING.
        self._claim = (dialect.insert(inbox)
                       .values(event_id=bindparam("id"), type=bindparam("type"),
                               topic=bindparam("topic"))
                       .on_conflict_do_nothing(index_elements=["event_id"])
                       .returning(inbox.c.event_id))

    def run(self, stop: threading.Event, consumer: BusConsumer | None = None) -> None:
        """Consume until ``stop`` is set; the record in hand is finished first.

        Rides out bus and database outages of any length, starting without a broker too.
        """
        self._consumer = consumer
        log.info("consumer started", extra={"group": self.group, "topics": self.handlers.topics})
        try:
            while not stop.is_set():
                self.heartbeat.beat()
                self._turn(stop)
        except Stopped:
            log.info("stopped while retrying; the record will be re-delivered")
        finally:
            self._drop_consumer()
            self._drop_dlq()
            log.info("consumer stopped", extra={"group": self.group})

    def _turn(self, stop: threading.Event) -> None:
        """Poll one batch, finish it and commit it – or wait before retrying."""
        try:
            if self._consumer is None:
                self._consumer = self.bus.consumer(self.group, self.handlers.topics)
                self._last_contact = time.monotonic()
            if not self._consume_batch(self._consumer, stop) and self._probe_due():
                self.bus.ping()
                self._last_contact = time.monotonic()
        except (BusError, SQLAlchemyError) as exc:
            # A new consumer resumes after the last commit: nothing unfinished is skipped.
            self._drop_consumer()
            link = self.link if isinstance(exc, BusError) else self.database
            self._pause(stop, link.down(exc))
            return
        self.link.up()
        self.database.up()

    def _consume_batch(self, consumer: BusConsumer, stop: threading.Event) -> bool:
        """Apply or dead-letter one polled batch and commit what was finished; False if empty."""
        finished: list[Message] = []
        batch = consumer.poll(timeout_ms=self.POLL_MS)
        try:
            if len(batch) > 1 and self._apply_together(batch):
                finished = batch
            for message in [] if finished else batch:
                if stop.is_set():
                    break  # the rest is re-delivered to whoever runs next
                self.process(message, stop)
                finished.append(message)
        finally:
            # Once per batch and without waiting: every record up to these is finished.
            consumer.commit_soon(finished)
        if batch:
            self._last_contact = time.monotonic()
        return bool(batch)

    def _probe_due(self) -> bool:
        return time.monotonic() - self._last_contact > self.PROBE_INTERVAL_S

    def _pause(self, stop: threading.Event, seconds: float) -> None:
        """Wait ``seconds`` (or until stopped), keeping the heartbeat fresh."""
        deadline = time.monotonic() + seconds
        while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
            self.heartbeat.beat()
            stop.wait(min(left, 5.0))

    def _drop_consumer(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None

    def _drop_dlq(self) -> None:
        if self._dlq is not None:
            self._dlq.close()
            self._dlq = None

    def process(self, message: Message, stop: threading.Event | None = None) -> str:
        """Apply, skip or dead-letter one record; returns which."""
        stop = stop or threading.Event()
        try:
            handler, event = self._received(message)
        except (MalformedEvent, EventSchemaError) as exc:
            self.dead_letter(message, f"malformed: {exc}", attempts=1)
            return self._count("dead_lettered")
        if handler is None or event is None:
            return self._count("ignored")
        with event_context(event.id):
            return self._count(self._apply_with_retries(message, handler, event, stop))

    def _received(self, message: Message) -> tuple[Handler | None, ReceivedEvent | None]:
        """The record's handler and validated event (``None``: a type nobody handles here)."""
        envelope = EventEnvelope.from_bytes(message.value)
        handler = self.handlers.get(envelope.type)
        if handler is None:
            return None, None
        return handler, ReceivedEvent(envelope.id, envelope.type, envelope.source,
                                      envelope.subject, envelope.time, envelope.providerid,
                                      handler.load(envelope.data))

    def _apply_together(self, batch: list[Message]) -> bool:
        """Apply a whole batch in one transaction, or nothing (False): then one by one.

        Two round trips per batch instead of per record, when the consumer has
        fallen behind. Any record that needs more than applying – malformed,
        failing – sends the whole batch down the one-by-one path, with its
        retries and dead letters.
        """
        try:
            received = [(message, *self._received(message)) for message in batch]
            with self.db.transaction() as session:
                outcomes = [self._claim_and_apply(session, message, handler, event)
                            if handler is not None and event is not None else "ignored"
                            for message, handler, event in received]
        except OperationalError:
            raise  # the database is away: the runner waits and the batch comes again
        except Exception as exc:
            log.info("batch not applied together; one by one", extra={"error": repr(exc)})
            return False
        for outcome in outcomes:
            self._count(outcome)
        return True

    def _apply_with_retries(self, message, handler, event, stop) -> str:
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self._apply(message, handler, event)
            except OperationalError:
                # The database is away or busy, which is no fault of the event: never
                # dead-letter for it; the runner waits and the record comes again.
                raise
            except Exception as exc:
                log.warning("handler failed", extra={"attempt": attempt, "error": repr(exc)})
                if attempt == self.max_attempts:
                    self.dead_letter(message, f"{type(exc).__name__}: {exc}", attempts=attempt)
                    return "dead_lettered"
                if stop.wait(min(10.0, self.backoff_s * 2 ** (attempt - 1))):
                    raise Stopped from exc
        raise AssertionError("unreachable")

    def _apply(self, message: Message, handler, event: ReceivedEvent) -> str:
        with self.db.transaction() as session:
            return self._claim_and_apply(session, message, handler, event)

    def _claim_and_apply(self, session, message: Message, handler, event: ReceivedEvent) -> str:
        """Insert the event id into the inbox and, the first time only, run the handler."""
        first_time = session.execute(self._claim, {
            "id": event.id, "type": event.type, "topic": message.topic}).first()
        if first_time is None:
            return "duplicate"
        with event_context(event.id):
            handler.apply(session, event)
        fault_point("consumer.in_handler")
        return "applied"

    def dead_letter(self, message: Message, error: str, attempts: int) -> None:
        """Copy the record to the dead-letter topic with its error, durably, and record it."""
        if self._dlq is None:
            self._dlq = self.bus.producer()
        dlq = self._dlq
        headers = dict(message.headers)
        headers.update({
            "dlq-error": error[:2000].encode(),
            "dlq-attempts": str(attempts).encode(),
            "dlq-topic": message.topic.encode(),
            "dlq-partition": str(message.partition).encode(),
            "dlq-offset": str(message.offset).encode(),
            "dlq-group": self.group.encode(),
        })
        try:
            dlq.send(dlq_topic(message.topic, self.group), message.key or "", message.value,
                     headers)
            dlq.flush()
        except BusError:
            self._drop_dlq()  # a producer whose sends timed out starts afresh
            raise
        event_id = message.headers.get("ce_id", b"").decode() or None
        with self.db.transaction() as session:
            session.execute(insert(dead_letters).values(
                event_id=event_id, topic=message.topic, partition=message.partition,
                offset=message.offset, attempts=attempts, error=error[:2000]))
        log.error("event dead-lettered", extra={"topic": message.topic, "error": error[:200]})

    def _count(self, outcome: str) -> str:
        self.stats[outcome] += 1
        return outcome
