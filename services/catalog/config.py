"""Catalog settings read once at start (``SCORE_CATALOG_...``), refused when unusable."""

from __future__ import annotations

from shared.config import ConfigError, Settings

REQUIRE_CERTIFIED_LEAD = "SCORE_CATALOG_REQUIRE_CERTIFIED_LEAD"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def require_certified_lead(settings: Settings) -> bool:
    """Whether a published session's lead trainer must be certified for its module.

    On unless set to a false word: the rule protects SMEs from uncertified trainers,
    so a typo must not turn it off – anything but a yes/no word is a ConfigError.
    """
    raw = settings.get("require_certified_lead")
    if raw is None or isinstance(raw, bool):
        return True if raw is None else raw
    word = str(raw).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ConfigError(f"{REQUIRE_CERTIFIED_LEAD} must be true or false, not {raw!r}")
