"""The mailer's settings (``SCORE_ENROLMENT_<NAME>``), checked once when the mailer starts.

- ``MAIL_BACKEND``: ``smtp`` or ``file`` (default: smtp in production or when
  ``SMTP_HOST`` is set, else file);
- ``MAIL_FROM``: the From address (required in production);
- ``SMTP_HOST``, ``SMTP_PORT`` (587), ``SMTP_USER``, ``SMTP_PASSWORD`` (no user: no
  AUTH), ``SMTP_STARTTLS`` (true: upgrade to TLS before login), ``SMTP_TIMEOUT_S`` (10);
- ``MAIL_MAX_ATTEMPTS`` (8): attempts before a notification is ``failed``;
- ``MAIL_RETRY_BASE_S`` (30): the first retry delay, doubling, at most an hour;
- ``MAIL_INTERVAL_S`` (5), ``MAIL_BATCH`` (50): how often the mailer looks, how
  many it sends per round.

The file backend writes ``.eml`` files into ``<data_dir>/mail/`` – the embedded
default, where no mail server is assumed. Production refuses it, refuses to
start without an SMTP host or a From address, and refuses to send a password
over a connection not upgraded to TLS.
"""

from __future__ import annotations

import dataclasses
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path

from shared.config import ConfigError, Settings

BACKENDS = ("smtp", "file")
DEV_FROM = "SCORE Marketplace <no-reply@score-marketplace.example>"


@dataclasses.dataclass(frozen=True)
class MailSettings:
    """How the mailer sends, retries and paces itself."""

    backend: str
    mail_from: str
    directory: Path
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_timeout_s: float = 10.0
    max_attempts: int = 8
    retry_base_s: float = 30.0
    interval_s: float = 5.0
    batch: int = 50

    @property
    def sender_domain(self) -> str:
        """The From address's domain (Message-IDs are minted in it)."""
        return parseaddr(self.mail_from)[1].rpartition("@")[2] or "localhost"

    def retry_delay_s(self, attempts: int) -> float:
        """How long to wait after the ``attempts``-th failed attempt (doubling, ≤ 1 hour)."""
        return min(3600.0, self.retry_base_s * 2 ** (attempts - 1))


def load_mail_settings(settings: Settings) -> MailSettings:
    """The mailer's settings; :class:`ConfigError` when they cannot work (or are unsafe)."""
    host = str(settings.get("smtp_host", "") or "")
    default = "smtp" if host or settings.is_production else "file"
    backend = str(settings.get("mail_backend", "") or default).lower()
    mail = MailSettings(
        backend=backend,
        mail_from=str(settings.get("mail_from", "") or ("" if settings.is_production
                                                         else DEV_FROM)),
        directory=Path(settings.data_dir) / "mail",
        smtp_host=host,
        smtp_port=_number(settings.get("smtp_port", 587), "SMTP_PORT", int),
        smtp_user=str(settings.get("smtp_user", "") or ""),
        smtp_password=str(settings.get("smtp_password", "") or ""),
        smtp_starttls=_flag(settings.get("smtp_starttls", True)),
        smtp_timeout_s=_number(settings.get("smtp_timeout_s", 10), "SMTP_TIMEOUT_S", float),
        max_attempts=_number(settings.get("mail_max_attempts", 8), "MAIL_MAX_ATTEMPTS", int),
        retry_base_s=_number(settings.get("mail_retry_base_s", 30), "MAIL_RETRY_BASE_S", float),
        interval_s=_number(settings.get("mail_interval_s", 5), "MAIL_INTERVAL_S", float),
        batch=_number(settings.get("mail_batch", 50), "MAIL_BATCH", int))
    _check(mail, settings)
    return mail


def _check(mail: MailSettings, settings: Settings) -> None:
    prefix = "SCORE_ENROLMENT_"
    if mail.backend not in BACKENDS:
        raise ConfigError(f"{prefix}MAIL_BACKEND must be one of {BACKENDS}")
    if mail.backend == "smtp" and not mail.smtp_host:
        raise ConfigError(f"the smtp mail backend needs {prefix}SMTP_HOST")
    if mail.max_attempts < 1 or mail.batch < 1 or mail.interval_s <= 0 or mail.retry_base_s < 0:
        raise ConfigError("MAIL_MAX_ATTEMPTS and MAIL_BATCH must be at least 1, "
                          "MAIL_INTERVAL_S positive, MAIL_RETRY_BASE_S not negative")
    if not _is_address(mail.mail_from):
        raise ConfigError(f"{prefix}MAIL_FROM must be an email address "
                          "(e.g. SCORE Marketplace <no-reply@score.example.org>)")
    if settings.is_production:
        if mail.backend != "smtp":
            raise ConfigError("production sends mail over SMTP, not into files "
                              f"({prefix}MAIL_BACKEND=smtp and {prefix}SMTP_HOST)")
        if mail.smtp_user and not mail.smtp_starttls:
            raise ConfigError(f"production refuses to send {prefix}SMTP_PASSWORD without "
                              f"TLS ({prefix}SMTP_STARTTLS=true)")


def _is_address(value: str) -> bool:
    address = parseaddr(value)[1]
    try:
        return bool(address) and bool(Address(addr_spec=address).domain)
    except (ValueError, IndexError):
        return False


def _number(raw, name: str, kind: type[int] | type[float]):
    try:
        return kind(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"SCORE_ENROLMENT_{name} must be a number") from exc


def _flag(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    return str(raw).strip().lower() in ("1", "true", "yes", "on")
