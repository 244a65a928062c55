"""How a relay or consumer rides out an outage: backoff, one log line per change, metrics.

The relay and the consumer runner report every bus operation's outcome to a
:class:`BusLink`. While operations fail it hands out retry delays that double
up to a cap, so an outage of any length costs a few attempts a minute; it logs
once when the bus becomes unreachable and once when it is back (with how long
it was gone), never once per attempt; and it keeps two Prometheus series
current: ``score_bus_connected{role}`` (1 or 0: the outcome of the last bus
operation) and ``score_bus_reconnect_attempts_total{role}``. The same logic,
without metrics, covers the worker's database (``subject="database"``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge

log = logging.getLogger(__name__)


class LinkMetrics:
    """The bus-link series of one process (relay and consumer share them, by ``role``)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.connected = Gauge("score_bus_connected",
                               "1 if the last bus operation of this worker succeeded, else 0",
                               ["role"], registry=self.registry)
        self.attempts = Counter("score_bus_reconnect_attempts",
                                "Retries scheduled after a failed bus operation",
                                ["role"], registry=self.registry)


class BusLink:
    """One worker's view of the bus: up or down, and how long to wait before retrying."""

    def __init__(self, role: str, metrics: LinkMetrics | None = None, *,
                 first_delay_s: float = 0.5, max_delay_s: float = 30.0,
                 clock: Callable[[], float] = time.monotonic, subject: str = "bus") -> None:
        self.role = role
        self.subject = subject
        self.first_delay_s = first_delay_s
        self.max_delay_s = max_delay_s
        self._clock = clock
        self._metrics = metrics
        self._failures = 0
        self._down_since: float | None = None
        if metrics is not None:
            metrics.connected.labels(role).set(1)
            metrics.attempts.labels(role)  # the series exists from the start, at 0

    @property
    def connected(self) -> bool:
        """False from a failed bus operation until the next one that succeeds."""
        return self._down_since is None

    def up(self) -> None:
        """A bus operation succeeded: reset the backoff; log if this ends an outage."""
        if self._down_since is not None:
            log.info(f"{self.subject} reachable again", extra={
                "role": self.role, "outage_s": round(self._clock() - self._down_since, 1),
                "attempts": self._failures})
            self._down_since = None
            if self._metrics is not None:
                self._metrics.connected.labels(self.role).set(1)
        self._failures = 0

    def down(self, error: BaseException) -> float:
        """A bus operation failed: seconds to wait before the next attempt (logged once)."""
        if self._down_since is None:
            self._down_since = self._clock()
            log.warning(f"{self.subject} unreachable; retrying with backoff until it is back",
                        extra={"role": self.role, "error": str(error)[:300],
                               "max_delay_s": self.max_delay_s})
            if self._metrics is not None:
                self._metrics.connected.labels(self.role).set(0)
        else:
            log.debug(f"{self.subject} still unreachable",
                      extra={"role": self.role, "error": str(error)})
        self._failures += 1
        if self._metrics is not None:
            self._metrics.attempts.labels(self.role).inc()
        return min(self.max_delay_s, self.first_delay_s * 2 ** (self._failures - 1))
