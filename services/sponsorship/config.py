"""Sponsorship's settings (``SCORE_SPONSORSHIP_<NAME>``), checked once when a process starts.

- ``RESERVATION_GRACE_S`` (default 600): how long after its hold's expiry an
  unconfirmed reservation is released by the reaper when no enrolment event
  said so. Longer than enrolment's card grace (120 s) plus event delivery, so a
  payment Stripe accepted at the last second still commits without a late take.
- ``REAPER_INTERVAL_S`` (default 5): how often the reaper looks.
"""

from __future__ import annotations

import dataclasses

from shared.config import ConfigError, Settings


@dataclasses.dataclass(frozen=True)
class SponsorshipPolicy:
    """The reaper's timing."""

    reservation_grace_s: int = 600
    reaper_interval_s: float = 5.0


def load_policy(settings: Settings) -> SponsorshipPolicy:
    """The policy from ``settings`` (defaults above); :class:`ConfigError` when unusable."""
    values: dict[str, float | int] = {}
    try:
        if settings.get("reservation_grace_s") is not None:
            values["reservation_grace_s"] = int(settings.get("reservation_grace_s"))
        if settings.get("reaper_interval_s") is not None:
            values["reaper_interval_s"] = float(settings.get("reaper_interval_s"))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"sponsorship settings: {exc}") from exc
    policy = SponsorshipPolicy(**values)  # type: ignore[arg-type]
    if policy.reservation_grace_s < 0 or policy.reaper_interval_s <= 0:
        raise ConfigError("RESERVATION_GRACE_S must be >= 0 and REAPER_INTERVAL_S > 0")
    return policy
