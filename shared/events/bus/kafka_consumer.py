"""The Kafka bus's consumer: a group member that commits finished records only.

Offsets are committed once per batch without waiting for the answer
(:meth:`KafkaBusConsumer.commit_soon`); before a rebalance hands partitions on,
and when the consumer closes, it waits until those commits have landed, so
whoever consumes the partitions next starts after them.
"""

from __future__ import annotations

import logging
import threading

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.subscription_state import AsyncConsumerRebalanceListener
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from shared.events.bus.base import BusConsumer, BusError, Message
from shared.events.bus.kafka_calls import (
    BOOTSTRAP_TIMEOUT_MS,
    CLOSE_TIMEOUT_MS,
    COMMIT_TIMEOUT_MS,
    as_bus_error,
    close_quietly,
    connect,
)

log = logging.getLogger(__name__)


class KafkaBusConsumer(BusConsumer):
    """A group member that commits explicitly: finished records only."""

    def __init__(self, bootstrap, client_id, group, topics, start, instance_id=None,
                 pattern: str | None = None) -> None:
        # Offsets sent with commit_soon() whose answer has not been seen yet.
        self._unconfirmed: dict[TopicPartition, int] = {}
        self._lock = threading.Lock()
        self._consumer = connect(
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
            # seconds, not the default five minutes; so is one matching a pattern.
            metadata_max_age_ms=5000,
        )
        try:
            with as_bus_error("consumer start"):
                if start:
                    self._assign_from(topics, start)
                elif pattern is not None:
                    # kafka-python matches every topic of the cluster's metadata (internal
                    # ones excluded) against the pattern on each refresh.
                    self._consumer.subscribe(pattern=pattern,
                                             listener=_CommitBeforeRevoke(self))
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
        with as_bus_error("poll failed"):
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
        with as_bus_error("commit failed"):
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
        with as_bus_error("commit failed"):
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
        close_quietly(lambda: self._consumer.close(autocommit=False,
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
