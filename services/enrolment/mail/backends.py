"""Where emails go: an SMTP server (production), or ``.eml`` files (the embedded default).

A backend opens a *connection* for one round of the mailer and hands back a
``send(message)`` callable; any exception from it means "not sent" (the mailer
retries later). The SMTP connection is opened at the first message of a round
and reused; after a failed send it is dropped and opened again for the next.
When the server cannot be reached (or refuses the login), ``send`` raises
:class:`MailUnavailable` and the mailer ends the round: every further message
would wait out the same timeout.
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from services.enrolment.mail.settings import MailSettings

Send = Callable[[EmailMessage], None]


class MailUnavailable(ConnectionError):
    """The mail server cannot be reached or refuses this client: no message goes out now."""


class MailBackend(Protocol):
    """Sends emails, one round at a time."""

    def connection(self) -> contextlib.AbstractContextManager[Send]:
        """A ``send(message)`` for one round; closed when the round ends."""
        ...


class SmtpBackend:
    """Delivers through an SMTP server (STARTTLS and login when configured)."""

    def __init__(self, mail: MailSettings) -> None:
        self.mail = mail

    @contextlib.contextmanager
    def connection(self) -> Iterator[Send]:
        """One SMTP connection per round, reopened after a failure."""
        open_smtp: list[smtplib.SMTP] = []

        def send(message: EmailMessage) -> None:
            if not open_smtp:
                open_smtp.append(self._connect())
            try:
                open_smtp[0].send_message(message)
            except Exception:
                _close(open_smtp.pop())
                raise

        try:
            yield send
        finally:
            if open_smtp:
                _close(open_smtp.pop())

    def _connect(self) -> smtplib.SMTP:
        where = f"{self.mail.smtp_host}:{self.mail.smtp_port}"
        try:
            smtp = smtplib.SMTP(self.mail.smtp_host, self.mail.smtp_port,
                                timeout=self.mail.smtp_timeout_s)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailUnavailable(f"cannot connect to {where}: {exc!r}") from exc
        try:
            if self.mail.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.mail.smtp_user:
                smtp.login(self.mail.smtp_user, self.mail.smtp_password)
        except (OSError, smtplib.SMTPException) as exc:
            _close(smtp)
            raise MailUnavailable(f"{where} refused TLS or login: {exc!r}") from exc
        return smtp


def _close(smtp: smtplib.SMTP) -> None:
    """Say QUIT if the server still listens; drop the socket either way."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


class FileBackend:
    """Writes each email as ``<Message-ID>.eml`` into a folder (development only)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @contextlib.contextmanager
    def connection(self) -> Iterator[Send]:
        """Files need no connection: each message is one file, written whole or not at all."""
        self.directory.mkdir(parents=True, exist_ok=True)
        yield self._write

    def _write(self, message: EmailMessage) -> None:
        name = str(message["Message-ID"]).strip("<>").partition("@")[0]
        target = self.directory / f"{name}.eml"
        partial = target.with_suffix(".eml.partial")
        partial.write_bytes(bytes(message))
        os.replace(partial, target)


def backend_for(mail: MailSettings) -> MailBackend:
    """The backend the settings name."""
    if mail.backend == "smtp":
        return SmtpBackend(mail)
    return FileBackend(mail.directory)
