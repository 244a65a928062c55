"""Reconciliation settings, read from ``SCORE_AUDIT_<NAME>`` once per process.

- ``<SERVICE>_URL`` (``IDENTITY_URL``, ``CATALOG_URL``, ...): each service's base URL;
  ``score run`` sets them for the services in the runtime's ``calls``. A service
  without one is not read (the run names it ``not_configured``); without identity's
  there is no token and no service is read.
- ``CLIENT_ID`` / ``CLIENT_SECRET``: the audit's machine client at identity (role
  ``service``). Development defaults to the client identity's demo seed registers;
  production refuses a missing or development secret (:mod:`shared.config`).
- ``RECONCILE_INTERVAL_S``: seconds between scheduled runs (default an hour).
- ``CALL_TIMEOUT_S``: seconds to connect and to wait for each answer (default 10).
"""

from __future__ import annotations

import dataclasses
import math
from urllib.parse import urlsplit

from shared.config import DEV_AUDIT_CLIENT_ID, DEV_AUDIT_CLIENT_SECRET, ConfigError, Settings

DEFAULT_INTERVAL_S = 3600.0
DEFAULT_TIMEOUT_S = 10.0
MAX_TIMEOUT_S = 60.0
TOKEN_ISSUER = "identity"


@dataclasses.dataclass(frozen=True)
class ReconcileSettings:
    """Where the services are, who the audit is at identity, and how often it runs."""

    urls: dict[str, str]
    client_id: str
    client_secret: str
    interval_s: float = DEFAULT_INTERVAL_S
    timeout_s: float = DEFAULT_TIMEOUT_S


def load_reconcile_settings(settings: Settings, services: tuple[str, ...]) -> ReconcileSettings:
    """The reconciliation settings of ``settings`` (:class:`ConfigError` when unusable)."""
    urls = {}
    for name in (TOKEN_ISSUER, *services):
        url = _text(settings.get(f"{name}_url"))
        if url is not None:
            urls[name] = _base_url(f"SCORE_AUDIT_{name.upper()}_URL", url)
    client_id = _text(settings.get("client_id"))
    secret = _text(settings.get("client_secret"))
    if settings.is_production and (client_id is None or secret is None):
        raise ConfigError("production needs SCORE_AUDIT_CLIENT_ID and SCORE_AUDIT_CLIENT_SECRET")
    return ReconcileSettings(
        urls=urls, client_id=client_id or DEV_AUDIT_CLIENT_ID,
        client_secret=secret or DEV_AUDIT_CLIENT_SECRET,
        interval_s=_seconds("RECONCILE_INTERVAL_S", settings.get("reconcile_interval_s"),
                            DEFAULT_INTERVAL_S, math.inf),
        timeout_s=_seconds("CALL_TIMEOUT_S", settings.get("call_timeout_s"),
                           DEFAULT_TIMEOUT_S, MAX_TIMEOUT_S))


def _base_url(name: str, url: str) -> str:
    url = url.rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query \
            or parts.fragment:
        raise ConfigError(f"{name} must be an http(s) base URL without query or fragment, "
                          f"not {url!r}")
    return url


def _seconds(name: str, raw: object, default: float, most: float) -> float:
    text = _text(raw)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= most or math.isinf(value):  # also refuses nan and inf
        raise ConfigError(f"SCORE_AUDIT_{name} must be a number of seconds above 0"
                          f"{'' if math.isinf(most) else f' and at most {most:g}'}, "
                          f"not {text!r}")
    return value


def _text(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None
