"""The ``kafka`` bus: kafka-python 3 against Apache Kafka.

Producer: idempotent, ``acks=all``, so a retried send never duplicates within
a producer session and an acknowledged record is on every in-sync replica.
Consumer: auto-commit off; the runner commits offsets after the handlers'
transactions have committed, once per batch and without waiting for the answer
(:meth:`KafkaBusConsumer.commit_soon`); before its partitions move to another
member in a rebalance, and when it closes, the consumer waits until those
commits have landed.

Every kafka-python call is bounded in time and every failure of one – an
unreachable broker included, even in a constructor – is a :class:`BusError`,
so the relay and the consumer runner can wait and retry through an outage of
any length instead of dying.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.subscription_state import AsyncConsumerRebalanceListener
from kafka.errors import KafkaError
from kafka.net.compat import KafkaNetClient
from kafka.structs import OffsetAndMetadata

from shared.events.bus.base import Bus, BusConsumer, BusError, BusProducer, Message

log = logging.getLogger(__name__)

# How long one attempt may block the relay or consumer loop. The loops retry, so
# short bounds cost nothing but keep them responsive (and their heartbeat fresh).
BOOTSTRAP_TIMEOUT_MS = 10_000
COMMIT_TIMEOUT_MS = 10_000
CLOSE_TIMEOUT_MS = 5_000


@contextmanager
def _as_bus_error(what: str) -> Iterator[None]:
    try:
        yield
    except KafkaError as exc:
        raise BusError(f"kafka {what}: {exc}") from exc


def _connect(client_class: Callable[..., Any], what: str, **config: Any) -> Any:
    """``client_class(**config)``, or :class:`BusError` with nothing left running.

    kafka-python's constructors connect to the cluster, and a failed one leaves
    its network thread running: over a long outage every retry would leak one.
    The ``kafka_client`` hook hands us that client, so a failed start closes it.
    """
    made: list[KafkaNetClient] = []

    def client(**configs: Any) -> KafkaNetClient:
        made.append(KafkaNetClient(**configs))
        return made[-1]

    try:
        return client_class(kafka_client=client, **config)
    except KafkaError as exc:
        for leftover in made:
            try:
                leftover.close()
            except Exception:  # already broken; the point is to stop its thread
                log.debug("closing a failed kafka client", exc_info=True)
        raise BusError(f"kafka {what}: {exc}") from exc


class KafkaBus(Bus):
    """Connection settings for one Kafka cluster."""

    name = "kafka"

    def __init__(self, bootstrap: str, client_id: str = "score",
                 group_instance_id: str | None = None) -> None:
        self.bootstrap = bootstrap.split(",")
        self.client_id = client_id
        self.group_instance_id = group_instance_id

    def producer(self) -> BusProducer:
        return KafkaBusProducer(self.bootstrap, self.client_id)

    def consumer(self, group, topics, *, start=None) -> BusConsumer:
        # Replay reads partitions directly, outside any group membership.
        instance = None if start else self.group_instance_id
        return KafkaBusConsumer(self.bootstrap, self.client_id, group, topics, start or {},
                                instance)

    def lag(self, group, topics):
        # Short timeouts: lag is read by /metrics scrapes, which must not hang on an outage.
        consumer = _connect(KafkaConsumer, f"{self.bootstrap}", bootstrap_servers=self.bootstrap,
                            group_id=group, enable_auto_commit=False,
                            client_id=f"{self.client_id}-lag",
                            bootstrap_timeout_ms=3000, request_timeout_ms=5000)
        try:
            with _as_bus_error(f"lag of {group}"):
                result = {}
                for topic in topics:
                    parts = [TopicPartition(topic, p)
                             for p in sorted(consumer.partitions_for_topic(topic) or [])]
                    ends = consumer.end_offsets(parts) if parts else {}
                    result[topic] = sum(ends[tp] - (consumer.committed(tp) or 0)
                                        for tp in parts)
                return result
        finally:
            _close_quietly(lambda: consumer.close(autocommit=False, timeout_ms=CLOSE_TIMEOUT_MS))

    def ping(self) -> None:
        admin = _connect(KafkaAdminClient, f"{self.bootstrap}", bootstrap_servers=self.bootstrap,
                         client_id=self.client_id, request_timeout_ms=3000,
                         bootstrap_timeout_ms=3000)
        try:
            with _as_bus_error(f"{self.bootstrap}"):
                admin.list_topics()
        finally:
            _close_quietly(admin.close)


def _close_quietly(close: Callable[[], object]) -> None:
    # Closing a client of an unreachable broker may fail; there is nothing left to save.
    try:
        close()
    except Exception:
        log.debug("kafka close failed", exc_info=True)


class KafkaBusProducer(BusProducer):
    """An idempotent producer that reports every failed record at :meth:`flush`."""

    def __init__(self, bootstrap: list[str], client_id: str) -> None:
        self._producer = _connect(
            KafkaProducer, "producer start",
            bootstrap_servers=bootstrap,
            client_id=client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=2,
            max_in_flight_requests_per_connection=5,
            retries=2**31 - 1,
            request_timeout_ms=10000,
            delivery_timeout_ms=30000,
            bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS,
            # send() waits this long for a topic's metadata before giving up.
            max_block_ms=10000,
        )
        self._futures: list = []

    def send(self, topic, key, value, headers=None) -> None:
        with _as_bus_error("send"):
            self._futures.append(self._producer.send(
                topic, key=key.encode(), value=value,
                headers=list((headers or {}).items()),
            ))

    def flush(self, timeout_s: float = 30.0) -> None:
        futures, self._futures = self._futures, []
        with _as_bus_error("send failed"):
            self._producer.flush(timeout=timeout_s)
            for future in futures:
                future.get(timeout=timeout_s)

    def close(self) -> None:
        _close_quietly(lambda: self._producer.close(timeout=5))

    def prepare(self, topics: set[str]) -> None:
        # A warm-up only: a topic that cannot be looked up now fails its first send instead.
        for topic in sorted(topics):
            try:
                self._producer.partitions_for(topic)
            except KafkaError:
                log.debug("no metadata for %s yet", topic, exc_info=True)


class KafkaBusConsumer(BusConsumer):
    """A group member that commits explicitly: finished records only."""

    def __init__(self, bootstrap, client_id, group, topics, start, instance_id=None) -> None:
        # Offsets sent with commit_soon() whose answer has not been seen yet.
        self._unconfirmed: dict[TopicPartition, int] = {}
        self._lock = threading.Lock()
        self._consumer = _connect(
            KafkaConsumer, "consumer start",
            bootstrap_servers=bootstrap,
            client_id=client_id,
            group_id=group,
            group_instance_id=instance_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_interval_ms=600_000,
            bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS,
            # A topic created after we joined (its first event) is noticed within
            # seconds, not the default five minutes.
            metadata_max_age_ms=5000,
        )
        try:
            with _as_bus_error("consumer start"):
                if start:
                    self._assign_from(topics, start)
                else:
                    # Fetch metadata first: joining the group with none assigns no partitions.
                    for topic in topics:
                        self._consumer.partitions_for_topic(topic)
                    self._consumer.subscribe(topics, listener=_CommitBeforeRevoke(self))
        except BusError:
            self.close()
            raise

    def _assign_from(self, topics, start) -> None:
        # Replay reads partitions directly; no rebalance may move them away.
        parts = []
        for topic in topics:
            ids = self._consumer.partitions_for_topic(topic) or set()
            parts += [TopicPartition(topic, p) for p in sorted(ids)]
        self._consumer.assign(parts)
        for tp in parts:
            where = start.get(tp.topic, 0)
            if isinstance(where, str) and where.startswith("ts:"):
                found = self._consumer.offsets_for_times({tp: int(where[3:])})[tp]
                offset = found.offset if found else self._consumer.end_offsets([tp])[tp]
            else:
                offset = int(where)
            self._consumer.seek(tp, offset)

    def poll(self, timeout_ms: int = 100, max_records: int = 100) -> list[Message]:
        with _as_bus_error("poll failed"):
            batches = self._consumer.poll(timeout_ms=timeout_ms, max_records=max_records)
        out = []
        for records in batches.values():
            for r in records:
                out.append(Message(
                    r.topic, r.partition, r.offset,
                    r.key.decode() if r.key is not None else None,
                    r.value, dict(r.headers or []), r.timestamp,
                ))
        return out

    def commit(self, message: Message) -> None:
        tp = TopicPartition(message.topic, message.partition)
        with _as_bus_error("commit failed"):
            self._consumer.commit({tp: OffsetAndMetadata(message.offset + 1, "", -1)},
                                  timeout_ms=COMMIT_TIMEOUT_MS)

    def commit_soon(self, messages: list[Message]) -> None:
        """One asynchronous commit for the batch (and any earlier one not yet confirmed)."""
        if not messages:
            return
        with self._lock:
            for m in messages:
                tp = TopicPartition(m.topic, m.partition)
                self._unconfirmed[tp] = max(self._unconfirmed.get(tp, 0), m.offset + 1)
            offsets = _offsets(self._unconfirmed)
        with _as_bus_error("commit failed"):
            self._consumer.commit_async(offsets, callback=self._answered)

    def _answered(self, offsets: dict, answer: object) -> None:
        if isinstance(answer, Exception):
            log.debug("asynchronous commit failed; the next one retries it", exc_info=answer)
            return
        with self._lock:
            for tp, meta in offsets.items():
                if self._unconfirmed.get(tp) == meta.offset:
                    del self._unconfirmed[tp]

    def unconfirmed(self, partitions: set[TopicPartition] | None = None) -> dict:
        """Offsets committed without an answer yet (of ``partitions``, or all)."""
        with self._lock:
            return _offsets({tp: offset for tp, offset in self._unconfirmed.items()
                             if partitions is None or tp in partitions})

    def forget(self, partitions: set[TopicPartition]) -> None:
        """Stop tracking ``partitions`` (they belong to another member now)."""
        with self._lock:
            for tp in partitions:
                self._unconfirmed.pop(tp, None)

    def close(self) -> None:
        # Wait for the commits on their way, so whoever consumes next starts after them.
        pending = self.unconfirmed()
        if pending:
            try:
                self._consumer.commit(pending, timeout_ms=CLOSE_TIMEOUT_MS)
                self.forget(set(pending))
            except KafkaError:
                log.debug("final commit failed; those records come again", exc_info=True)
        _close_quietly(lambda: self._consumer.close(autocommit=False,
                                                    timeout_ms=CLOSE_TIMEOUT_MS))


def _offsets(positions: dict[TopicPartition, int]) -> dict:
    return {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in positions.items()}


class _CommitBeforeRevoke(AsyncConsumerRebalanceListener):
    """Before a rebalance hands partitions on, commit their finished offsets and wait."""

    def __init__(self, owner: KafkaBusConsumer) -> None:
        self._owner = owner

    async def on_partitions_revoked(self, revoked) -> None:
        # Runs on kafka-python's network loop: await, never block.
        pending = self._owner.unconfirmed(set(revoked))
        if pending:
            try:
                await self._owner._consumer.commit_async(pending)
            except Exception:  # membership already lost: those records come again
                log.debug("commit before rebalance failed", exc_info=True)
        self._owner.forget(set(revoked))

    async def on_partitions_assigned(self, assigned) -> None:
        """Nothing to do: a new partition starts after its group's last commit."""
