"""The ``mailer`` job: sends the pending notifications use cases queued, with retries.

Use cases write a :class:`Notification` in the transaction of the change that
causes it (:mod:`services.enrolment.service.notifications`) – an outbox for
mail. Each round the mailer (one leader per database, :mod:`shared.jobs`)
takes the pending notifications that are due, oldest first, renders them and
hands them to the backend, then records each outcome in its own short
transaction (never holding a database transaction while the SMTP server talks):

- sent: ``sent`` with ``sent_at``;
- the backend failed: ``attempts`` + 1 and ``next_attempt_at`` after a doubling
  delay, until ``MAIL_MAX_ATTEMPTS`` – then ``failed`` with the last error;
- the template cannot be rendered (a missing context value): ``failed`` at
  once, since trying again would fail again;
- the server cannot be reached: that attempt counts, the round ends there (the
  others are not tried against a dead server) – so a round lasts at most one
  connection timeout, and the job's heartbeat beats before every email.

Delivery is at least once: a mailer stopped between the server's "250 OK" and
the commit sends that email again. The Message-ID is the notification's id, so
mail clients show the copy as one message.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime

from jinja2 import TemplateError
from sqlalchemy import or_, select

from services.enrolment.mail.backends import MailBackend, MailUnavailable, Send, backend_for
from services.enrolment.mail.render import render
from services.enrolment.mail.settings import MailSettings, load_mail_settings
from services.enrolment.models import Notification
from shared import clock
from shared.db import Database
from shared.jobs import Job, JobContext, PeriodicJob

log = logging.getLogger(__name__)
N = Notification


def send_pending(db: Database, backend: MailBackend, mail: MailSettings,
                 beat: Callable[[], None] = lambda: None) -> int:
    """One round: send the due pending notifications; returns how many were tried."""
    now = clock.now()
    with db.reading() as session:
        due = session.scalars(select(N).where(
            N.status == "pending", or_(N.next_attempt_at.is_(None), N.next_attempt_at <= now))
            .order_by(N.created_at, N.id).limit(mail.batch)).all()
    if not due:
        return 0
    tried = 0
    with backend.connection() as send:
        for notification in due:
            beat()
            tried += 1
            try:
                error, final = _deliver(notification, send, mail)
            except MailUnavailable as exc:
                log.warning("mail server unavailable; round ended", extra={"error": str(exc)})
                _record(db, notification.id, str(exc), False, mail)
                break
            _record(db, notification.id, error, final, mail)
    return tried


def compose(notification: Notification, mail: MailSettings) -> EmailMessage:
    """The email of a notification: text with an HTML alternative, its id as Message-ID."""
    rendered = render(notification.template, notification.language, notification.context)
    message = EmailMessage()
    message["From"] = mail.mail_from
    message["To"] = notification.recipient
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = f"<{notification.id}@{mail.sender_domain}>"
    message["X-Score-Template"] = notification.template
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


def _deliver(notification: Notification, send: Send,
             mail: MailSettings) -> tuple[str | None, bool]:
    """(error or None, whether the error is final)."""
    try:
        message = compose(notification, mail)
    except (TemplateError, KeyError, TypeError, ValueError) as exc:
        log.error("notification cannot be rendered", extra={
            "notification": notification.id, "template": notification.template})
        return f"cannot render {notification.template}: {exc}", True
    try:
        send(message)
    except MailUnavailable:
        raise
    except Exception as exc:  # whatever the backend raised: not sent, try again later
        log.warning("sending a notification failed", extra={
            "notification": notification.id, "error": str(exc)})
        return f"{type(exc).__name__}: {exc}", False
    return None, False


def _record(db: Database, notification_id: str, error: str | None, final: bool,
            mail: MailSettings) -> None:
    with db.transaction() as session:
        notification = session.get(N, notification_id, with_for_update=True)
        if notification is None or notification.status != "pending":
            return
        notification.attempts += 1
        now = clock.now()
        if error is None:
            notification.status, notification.sent_at = "sent", now
            notification.next_attempt_at = None
        elif final or notification.attempts >= mail.max_attempts:
            notification.status, notification.last_error = "failed", error[:2000]
            notification.next_attempt_at = None
        else:
            notification.last_error = error[:2000]
            notification.next_attempt_at = now + dt.timedelta(
                seconds=mail.retry_delay_s(notification.attempts))


def build(context: JobContext) -> PeriodicJob:
    """The mailer for this process's settings (refuses unusable ones at start)."""
    mail = load_mail_settings(context.settings)
    backend = backend_for(mail)
    return PeriodicJob(context.db, context.settings.service, "mailer",
                       lambda: send_pending(context.db, backend, mail, context.heartbeat.beat),
                       interval_s=mail.interval_s, batch=mail.batch,
                       heartbeat=context.heartbeat)


MAILER = Job("mailer", build, "Sends queued emails (SMTP; .eml files on the embedded default).")
