"""Identity's own settings (they arrive in ``Settings.extra``), parsed and checked once."""

from __future__ import annotations

import dataclasses
from typing import Any

from argon2 import PasswordHasher

from shared.config import ConfigError, Settings

DEFAULT_ACCESS_TTL_S = 900
DEFAULT_REFRESH_TTL_S = 14 * 24 * 3600
# OWASP's floor for argon2id memory; test settings go lower, production may not.
PRODUCTION_MIN_MEMORY_KIB = 19 * 1024
PRODUCTION_MIN_ADMIN_PASSWORD = 12

@dataclasses.dataclass(frozen=True)
class ThrottlePolicy:
    """How many failed logins per email and per client IP a window tolerates."""

    max_per_email: int = 5
    max_per_ip: int = 20
    window_s: int = 900


@dataclasses.dataclass(frozen=True)
class IdentityConfig:
    """Token lifetimes, throttling, password hashing cost and the bootstrap admin."""

    issuer: str
    audience: str
    access_ttl_s: int = DEFAULT_ACCESS_TTL_S
    refresh_ttl_s: int = DEFAULT_REFRESH_TTL_S
    throttle: ThrottlePolicy = ThrottlePolicy()
    hash_time_cost: int = 3
    hash_memory_cost: int = 65536
    hash_parallelism: int = 4
    bootstrap_email: str | None = None
    bootstrap_password: str | None = None
    bootstrap_name: str = "Platform admin"


def load_identity_config(settings: Settings) -> IdentityConfig:
    """Identity's settings from ``settings``; :class:`ConfigError` when unusable."""
    defaults = PasswordHasher()
    config = IdentityConfig(
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        access_ttl_s=_positive(settings, "access_token_ttl_s", DEFAULT_ACCESS_TTL_S),
        refresh_ttl_s=_positive(settings, "refresh_token_ttl_s", DEFAULT_REFRESH_TTL_S),
        throttle=ThrottlePolicy(
            max_per_email=_positive(settings, "login_max_failures_per_email", 5),
            max_per_ip=_positive(settings, "login_max_failures_per_ip", 20),
            window_s=_positive(settings, "login_failure_window_s", 900),
        ),
        hash_time_cost=_positive(settings, "password_hash_time_cost", defaults.time_cost),
        hash_memory_cost=_positive(settings, "password_hash_memory_cost", defaults.memory_cost),
        hash_parallelism=_positive(settings, "password_hash_parallelism", defaults.parallelism),
        bootstrap_email=settings.get("bootstrap_admin_email") or None,
        bootstrap_password=settings.get("bootstrap_admin_password") or None,
        bootstrap_name=settings.get("bootstrap_admin_name") or "Platform admin",
    )
    if (config.bootstrap_email is None) != (config.bootstrap_password is None):
        raise ConfigError("set both bootstrap_admin_email and bootstrap_admin_password, or neither")
    if settings.is_production:
        _check_production(config)
    return config


def _check_production(config: IdentityConfig) -> None:
    if config.hash_memory_cost < PRODUCTION_MIN_MEMORY_KIB:
        raise ConfigError("production refuses password_hash_memory_cost below "
                          f"{PRODUCTION_MIN_MEMORY_KIB} KiB")
    password = config.bootstrap_password
    if password is not None and len(password) < PRODUCTION_MIN_ADMIN_PASSWORD:
        raise ConfigError("production refuses a bootstrap admin password shorter than "
                          f"{PRODUCTION_MIN_ADMIN_PASSWORD} characters")


def _positive(settings: Settings, name: str, default: int) -> int:
    raw: Any = settings.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"identity setting {name} must be an integer, not {raw!r}") from exc
    if value <= 0:
        raise ConfigError(f"identity setting {name} must be positive, not {value}")
    return value
