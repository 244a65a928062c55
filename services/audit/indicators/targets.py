"""Phase III targets (DOMAIN.md) as configuration: ``SCORE_AUDIT_TARGETS``, JSON.

The published targets are the defaults; a deployment may move any of them
(``{"case_studies_published": 12}``) without a release. Unknown names and
values that are not non-negative numbers are refused when the app starts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from shared.config import ConfigError, Settings

DEFAULT_TARGETS: Mapping[str, Decimal] = {
    "providers_independent": Decimal(4),
    "smes_trained_direct": Decimal(50),
    "smes_trained_indirect": Decimal(200),
    "trainers": Decimal(60),
    "trainers_certified": Decimal(30),
    "cost_recovery_percent": Decimal(100),
    "lead_buyer_collaborations": Decimal(2),
    "case_studies_published": Decimal(10),
}


def load_targets(settings: Settings) -> dict[str, Decimal]:
    """The targets: the defaults, overridden by ``SCORE_AUDIT_TARGETS``."""
    targets = dict(DEFAULT_TARGETS)
    raw = settings.get("targets")
    if not raw:
        return targets
    try:
        given = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError as exc:
        raise ConfigError(f"SCORE_AUDIT_TARGETS is not JSON: {exc}") from exc
    if not isinstance(given, dict):
        raise ConfigError("SCORE_AUDIT_TARGETS must be a JSON object of target: number")
    for name, value in given.items():
        if name not in DEFAULT_TARGETS:
            raise ConfigError(f"SCORE_AUDIT_TARGETS: unknown target {name!r} "
                              f"(one of {', '.join(DEFAULT_TARGETS)})")
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise ConfigError(f"SCORE_AUDIT_TARGETS: {name} must be a number") from exc
        if isinstance(value, bool) or not number.is_finite() or number < 0:
            raise ConfigError(f"SCORE_AUDIT_TARGETS: {name} must be a number >= 0")
        targets[name] = number
    return targets
