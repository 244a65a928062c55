"""The live tail's limits, from settings, checked once when the app starts.

A tail is a response that stays open: under gunicorn's ``gthread`` workers
(deploy/boot.sh runs ``--threads``) each open tail holds one of a worker's threads
for its whole life. So a tail lives at most ``SCORE_AUDIT_TAIL_LIFETIME_S`` seconds
(then the client reconnects with ``Last-Event-ID``, as EventSource does by itself),
and a process serves at most ``SCORE_AUDIT_TAIL_MAX`` tails at once (more get 429
with ``Retry-After``), leaving threads for every other request.
"""

from __future__ import annotations

import dataclasses
import threading

from shared.config import ConfigError, Settings

# (setting, default, lowest, highest): fractions of a second are for tests.
LIFETIME = ("tail_lifetime_s", 300.0, 0.01, 3600.0)
HEARTBEAT = ("tail_heartbeat_s", 15.0, 0.01, 300.0)
MAX_TAILS = ("tail_max", 2, 1, 1000)


@dataclasses.dataclass(frozen=True)
class TailSettings:
    """How long a tail lives, how often it sends a heartbeat, how many run at once."""

    lifetime_s: float = LIFETIME[1]
    heartbeat_s: float = HEARTBEAT[1]
    max_tails: int = MAX_TAILS[1]


def load_tail_settings(settings: Settings) -> TailSettings:
    """The tail's limits (:class:`ConfigError` naming a value out of range)."""
    return TailSettings(lifetime_s=_number(settings, *LIFETIME, float),
                        heartbeat_s=_number(settings, *HEARTBEAT, float),
                        max_tails=int(_number(settings, *MAX_TAILS, int)))


def _number(settings: Settings, name: str, default, lowest, highest, kind) -> float:
    raw = settings.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"SCORE_AUDIT_{name.upper()}={raw!r} is not a number") from exc
    if not lowest <= value <= highest:
        raise ConfigError(f"SCORE_AUDIT_{name.upper()}={raw!r}: from {lowest} to {highest}")
    return value


class TailSlots:
    """The tails this process serves at once (at most ``limit``)."""

    def __init__(self, limit: int) -> None:
        self._free = threading.BoundedSemaphore(limit)

    def take(self) -> bool:
        """A slot for one more tail, or False when all are taken."""
        return self._free.acquire(blocking=False)

    def give_back(self) -> None:
        self._free.release()
