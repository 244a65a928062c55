"""The ``kafka`` bus: kafka-python 3 against Apache Kafka.

Producer: idempotent, ``acks=all``, so a retried send never duplicates within
a producer session and an acknowledged record is on every in-sync replica.
Consumer: auto-commit off; the runner commits offsets after the handlers'
transactions have committed, once per batch and without waiting for the answer
(:meth:`KafkaBusConsumer.commit_soon`); before its partitions move to another
member in a rebalance, and when it closes, the consumer waits until those
commits have landed.

Every kafka-python call is bounded in time and every failure of one – an
unreachable broker included, even in a constructor – is a :class:`BusError`
(:mod:`shared.events.bus.kafka_calls`), so the relay and the consumer runner
can wait and retry through an outage of any length instead of dying.
"""

from __future__ import annotations

import logging

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError

from shared.events.bus.base import Bus, BusConsumer, BusProducer
from shared.events.bus.kafka_calls import (
    BOOTSTRAP_TIMEOUT_MS,
    CLOSE_TIMEOUT_MS,
    as_bus_error,
    close_quietly,
    connect,
)
from shared.events.bus.kafka_consumer import KafkaBusConsumer

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

    def pattern_consumer(self, group, pattern) -> BusConsumer:
        return KafkaBusConsumer(self.bootstrap, self.client_id, group, [], {},
                                self.group_instance_id, pattern=pattern)

    def lag(self, group, topics):
        # Short timeouts: lag is read by /metrics scrapes, which must not hang on an outage.
        consumer = connect(KafkaConsumer, f"{self.bootstrap}", bootstrap_servers=self.bootstrap,
                           group_id=group, enable_auto_commit=False,
                           client_id=f"{self.client_id}-lag",
                           bootstrap_timeout_ms=3000, request_timeout_ms=5000)
        try:
            with as_bus_error(f"lag of {group}"):
                result = {}
                for topic in topics:
                    parts = [TopicPartition(topic, p)
                             for p in sorted(consumer.partitions_for_topic(topic) or [])]
                    ends = consumer.end_offsets(parts) if parts else {}
                    result[topic] = sum(ends[tp] - (consumer.committed(tp) or 0)
                                        for tp in parts)
                return result
        finally:
            close_quietly(lambda: consumer.close(autocommit=False, timeout_ms=CLOSE_TIMEOUT_MS))

    def ping(self) -> None:
        admin = connect(KafkaAdminClient, f"{self.bootstrap}", bootstrap_servers=self.bootstrap,
                        client_id=self.client_id, request_timeout_ms=3000,
                        bootstrap_timeout_ms=3000)
        try:
            with as_bus_error(f"{self.bootstrap}"):
                admin.list_topics()
        finally:
            close_quietly(admin.close)


class KafkaBusProducer(BusProducer):
    """An idempotent producer that reports every failed record at :meth:`flush`."""

    def __init__(self, bootstrap: list[str], client_id: str) -> None:
        self._producer = connect(
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
        with as_bus_error("send"):
            self._futures.append(self._producer.send(
                topic, key=key.encode(), value=value,
                headers=list((headers or {}).items()),
            ))

    def flush(self, timeout_s: float = 30.0) -> None:
        futures, self._futures = self._futures, []
        with as_bus_error("send failed"):
            self._producer.flush(timeout=timeout_s)
            for future in futures:
                future.get(timeout=timeout_s)

    def close(self) -> None:
        close_quietly(lambda: self._producer.close(timeout=5))

    def prepare(self, topics: set[str]) -> None:
        # A warm-up only: a topic that cannot be looked up now fails its first send instead.
        for topic in sorted(topics):
            try:
                self._producer.partitions_for(topic)
            except KafkaError:
                log.debug("no metadata for %s yet", topic, exc_info=True)
