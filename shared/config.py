"""Settings from the environment, with safe development defaults.

Each setting is read from ``SCORE_<SERVICE>_<NAME>`` first (so one machine can
run several services with different databases), then ``SCORE_<NAME>``, then
the default. A variable is global only when ``<NAME>`` is a field of
:class:`Settings`; any other ``SCORE_<X>_...`` belongs to service ``x`` and is
never seen by another service, whether or not ``x`` exists here. Production
(``SCORE_ENV=production``) refuses to start with a development secret or without one.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEV_SECRET = "dev-insecure-secret-change-me"
# The audit's machine client in development: identity's demo seed registers it (role
# ``service``), the audit reconciles with it unless told otherwise; production refuses
# this secret (``SCORE_<SERVICE>_CLIENT_SECRET``).
DEV_AUDIT_CLIENT_ID = "client-score-audit"
DEV_AUDIT_CLIENT_SECRET = "dev-audit-client-secret-change-me"
ENVIRONMENTS = ("development", "test", "production")
BUS_BACKENDS = ("local", "kafka")

class ConfigError(RuntimeError):
    """The configuration cannot be used (refused at start-up)."""


def project_root() -> Path:
    """The checkout's root directory (where ``var/`` lives in development)."""
    return Path(__file__).resolve().parent.parent


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything a service process needs to know about its environment."""

    service: str
    env: str = "development"
    secret_key: str = DEV_SECRET
    data_dir: str = ""
    database_url: str = ""
    bus: str = "local"
    kafka_bootstrap: str = "127.0.0.1:9092"
    # Static group membership: a restarted consumer takes its partitions back at
    # once instead of waiting for the session timeout (set one per replica).
    kafka_group_instance_id: str = ""
    local_bus_path: str = ""
    # Where token verification keys are fetched; ``score run`` and ``score serve`` point
    # it at the service whose runtime publishes them (ServiceRuntime.jwks_path).
    jwks_url: str = ""
    token_issuer: str = "score-identity"
    token_audience: str = "score"
    max_content_length: int = 1024 * 1024
    # How many reverse proxies in front set X-Forwarded-For/-Proto (0: trust none);
    # identity's per-IP login throttling needs the real client address.
    trusted_proxies: int = 0
    auto_migrate: bool = True
    run_workers: bool = False
    # Commits wake the relay; this is only how often it looks without being woken.
    relay_poll_ms: int = 1000
    relay_batch_size: int = 500
    consumer_group: str = ""
    consumer_max_attempts: int = 5
    consumer_backoff_ms: int = 200
    log_level: str = "INFO"
    # The embedded launcher's port for this service (0: its runtime's port).
    port: int = 0
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        """True when running for real users."""
        return self.env == "production"

    def get(self, name: str, default: Any = None) -> Any:
        """A service-specific setting from ``extra`` (e.g. identity's signing key)."""
        return self.extra.get(name, default)

    def validate(self) -> Settings:
        """Refuse settings that would be unsafe or meaningless."""
        if self.env not in ENVIRONMENTS:
            raise ConfigError(f"SCORE_ENV must be one of {ENVIRONMENTS}, not {self.env!r}")
        if self.bus not in BUS_BACKENDS:
            raise ConfigError(f"SCORE_BUS must be one of {BUS_BACKENDS}, not {self.bus!r}")
        if self.is_production:
            if not self.secret_key or self.secret_key == DEV_SECRET:
                raise ConfigError("production refuses a missing or development SCORE_SECRET_KEY")
            if self.get("client_secret") == DEV_AUDIT_CLIENT_SECRET:
                raise ConfigError(f"production refuses the development "
                                  f"SCORE_{self.service.upper()}_CLIENT_SECRET")
            if self.database_url.startswith("sqlite"):
                raise ConfigError("production needs a PostgreSQL database URL, not SQLite")
        return self


_TYPES = {f.name: f.type for f in dataclasses.fields(Settings)}
# The names a global ``SCORE_<NAME>`` variable may have.
GLOBAL_SETTINGS = frozenset(_TYPES) - {"service", "extra"}


def _coerce(name: str, raw: Any) -> Any:
    kind = _TYPES.get(name)
    if not isinstance(raw, str):
        return raw
    if kind == "int":
        return int(raw)
    if kind == "bool":
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return raw


def load_settings(
    service: str,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build validated settings for ``service`` from the environment and overrides.

    ``overrides`` keys are setting names (any case); unknown keys go to
    ``extra`` so services can carry their own settings.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    own = f"SCORE_{service.upper()}_"
    for key, raw in environ.items():
        name = global_setting_name(key)
        if name is not None and not key.startswith(own):
            _assign(name, raw, values, extra, service)
    for key, raw in environ.items():
        if key.startswith(own):
            _assign(key[len(own):].lower(), raw, values, extra, service)
    for key, raw in (overrides or {}).items():
        _assign(key.lower(), raw, values, extra, service)
    values.setdefault("data_dir", str(project_root() / "var"))
    values.setdefault("database_url", f"sqlite:///{values['data_dir']}/{service}.db")
    values.setdefault("local_bus_path", f"{values['data_dir']}/bus.db")
    values["auto_migrate"] = values.get("auto_migrate", values.get("env") != "production")
    return Settings(service=service, extra=extra, **values).validate()


def global_setting_name(variable: str) -> str | None:
    """``kafka_bootstrap`` for ``SCORE_KAFKA_BOOTSTRAP``; None for anything else.

    ``SCORE_PAYMENTS_DATABASE_URL`` is None: ``payments_database_url`` is no
    setting, so it is service ``payments``' variable and no one else's.
    """
    if not variable.startswith("SCORE_"):
        return None
    name = variable[len("SCORE_"):].lower()
    return name if name in GLOBAL_SETTINGS else None


def _assign(name: str, raw: Any, values: dict, extra: dict, service: str) -> None:
    if name == "service":
        return
    if name in _TYPES and name != "extra":
        try:
            values[name] = _coerce(name, raw)
        except ValueError as exc:
            raise ConfigError(f"setting {name} of {service}: {exc}") from exc
    else:
        extra[name] = raw
