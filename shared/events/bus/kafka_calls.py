"""Calls into kafka-python that are bounded in time and fail only with :class:`BusError`.

kafka-python raises its own errors, blocks by default for up to five minutes,
and its constructors connect to the cluster (a failed one leaving a network
thread behind). The Kafka bus goes through these helpers so the relay and the
consumer runner can wait and retry through an outage of any length.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from kafka.errors import KafkaError
from kafka.net.compat import KafkaNetClient

from shared.events.bus.base import BusError

log = logging.getLogger(__name__)

# How long one attempt may block the relay or consumer loop. The loops retry, so
# short bounds cost nothing but keep them responsive (and their heartbeat fresh).
BOOTSTRAP_TIMEOUT_MS = 10_000
COMMIT_TIMEOUT_MS = 10_000
CLOSE_TIMEOUT_MS = 5_000


@contextmanager
def as_bus_error(what: str) -> Iterator[None]:
    """Turn kafka-python's errors inside the block into :class:`BusError` naming ``what``."""
    try:
        yield
    except KafkaError as exc:
        raise BusError(f"kafka {what}: {exc}") from exc


def connect(client_class: Callable[..., Any], what: str, **config: Any) -> Any:
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


def close_quietly(close: Callable[[], object]) -> None:
    """Call ``close``; a client of an unreachable broker may fail to: nothing is left to save."""
    try:
        close()
    except Exception:
        log.debug("kafka close failed", exc_info=True)
