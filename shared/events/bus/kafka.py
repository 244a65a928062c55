"""The ``kafka`` bus: kafka-python 3 against Apache Kafka.

Producer: idempotent, ``acks=all``, so a retried send never duplicates within
a producer session and an acknowledged record is on every in-sync replica.
Consumer: auto-commit off; the runner commits each offset after the handler's
transaction has committed.
"""

from __future__ import annotations

import logging

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from shared.events.bus.base import Bus, BusConsumer, BusError, BusProducer, Message

log = logging.getLogger(__name__)


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
        try:
            consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=group,
                                     enable_auto_commit=False,
                                     client_id=f"{self.client_id}-lag",
                                     bootstrap_timeout_ms=3000, request_timeout_ms=5000)
        except KafkaError as exc:
            raise BusError(f"kafka {self.bootstrap}: {exc}") from exc
        try:
            result = {}
            for topic in topics:
                parts = [TopicPartition(topic, p)
                         for p in sorted(consumer.partitions_for_topic(topic) or [])]
                ends = consumer.end_offsets(parts) if parts else {}
                result[topic] = sum(ends[tp] - (consumer.committed(tp) or 0) for tp in parts)
            return result
        except KafkaError as exc:
            raise BusError(f"kafka lag of {group}: {exc}") from exc
        finally:
            consumer.close()

    def ping(self) -> None:
        try:
            admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, client_id=self.client_id,
                                     request_timeout_ms=3000, bootstrap_timeout_ms=3000)
            admin.list_topics()
            admin.close()
        except KafkaError as exc:
            raise BusError(f"kafka {self.bootstrap}: {exc}") from exc


class KafkaBusProducer(BusProducer):
    """An idempotent producer that reports every failed record at :meth:`flush`."""

    def __init__(self, bootstrap: list[str], client_id: str) -> None:
        self._producer = KafkaProducer(
            bootstrap_servers=bootstrap,
            client_id=client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=2,
            max_in_flight_requests_per_connection=5,
            retries=2**31 - 1,
            request_timeout_ms=10000,
            delivery_timeout_ms=30000,
        )
        self._futures: list = []

    def send(self, topic, key, value, headers=None) -> None:
        self._futures.append(self._producer.send(
            topic, key=key.encode(), value=value,
            headers=list((headers or {}).items()),
        ))

    def flush(self, timeout_s: float = 30.0) -> None:
        futures, self._futures = self._futures, []
        try:
            self._producer.flush(timeout=timeout_s)
            for future in futures:
                future.get(timeout=timeout_s)
        except KafkaError as exc:
            raise BusError(f"kafka send failed: {exc}") from exc

    def close(self) -> None:
        self._producer.close(timeout=5)


class KafkaBusConsumer(BusConsumer):
    """A group member that commits explicitly, one record at a time."""

    def __init__(self, bootstrap, client_id, group, topics, start, instance_id=None) -> None:
        self._consumer = KafkaConsumer(
            bootstrap_servers=bootstrap,
            client_id=client_id,
            group_id=group,
            group_instance_id=instance_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_interval_ms=600_000,
            # A topic created after we joined (its first event) is noticed within
            # seconds, not the default five minutes.
            metadata_max_age_ms=5000,
        )
        if start:
            self._assign_from(topics, start)
        else:
            # Fetch metadata first: joining the group with none assigns no partitions.
            for topic in topics:
                self._consumer.partitions_for_topic(topic)
            self._consumer.subscribe(topics)

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
        try:
            batches = self._consumer.poll(timeout_ms=timeout_ms, max_records=max_records)
        except KafkaError as exc:
            raise BusError(f"kafka poll failed: {exc}") from exc
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
        try:
            self._consumer.commit({tp: OffsetAndMetadata(message.offset + 1, "", -1)})
        except KafkaError as exc:
            raise BusError(f"kafka commit failed: {exc}") from exc

    def close(self) -> None:
        self._consumer.close(autocommit=False)
