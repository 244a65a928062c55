"""Sponsorship settings: where enrolment asks for quotes, and how long it waits.

Read from ``SCORE_ENROLMENT_<NAME>`` once at start (:func:`load_sponsorship_settings`):

- ``SPONSORSHIP_URL``: the sponsorship service's base URL (``http://sponsorship-api:5003``);
  unset or empty: no sponsorship, every SME pays the full price;
- ``SPONSORSHIP_TIMEOUT_S``: seconds to wait for a connection and for the answer
  (default 2). The quote runs while the enrolment's row is locked (see
  :mod:`services.enrolment.service.sponsor_shares`), so the bound is short:
  at most :data:`MAX_TIMEOUT_S`.
"""

from __future__ import annotations

import dataclasses
import math
from urllib.parse import urlsplit

from shared.config import ConfigError, Settings

DEFAULT_TIMEOUT_S = 2.0
# An SME waits at the checkout button, and its enrolment row stays locked meanwhile.
MAX_TIMEOUT_S = 10.0


@dataclasses.dataclass(frozen=True)
class SponsorshipSettings:
    """Where quotes are asked for (None: nowhere) and the timeout of one call."""

    url: str | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S

    @property
    def quotes_url(self) -> str | None:
        """The ``POST /quotes`` endpoint, or None without sponsorship."""
        return f"{self.url}/quotes" if self.url else None


def load_sponsorship_settings(settings: Settings) -> SponsorshipSettings:
    """The sponsorship settings of ``settings``; :class:`ConfigError` when unusable."""
    url = _text(settings.get("sponsorship_url"))
    if url is not None:
        url = url.rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query \
                or parts.fragment:
            raise ConfigError("SCORE_ENROLMENT_SPONSORSHIP_URL must be an http(s) base URL "
                              f"without query or fragment, not {url!r}")
    raw = _text(settings.get("sponsorship_timeout_s"))
    timeout = DEFAULT_TIMEOUT_S if raw is None else _seconds(raw)
    return SponsorshipSettings(url=url, timeout_s=timeout)


def _seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0 < value <= MAX_TIMEOUT_S:  # also refuses nan and inf
        raise ConfigError(f"SCORE_ENROLMENT_SPONSORSHIP_TIMEOUT_S must be a number of seconds "
                          f"above 0 and at most {MAX_TIMEOUT_S:g}, not {raw!r}")
    return value


def _text(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None
