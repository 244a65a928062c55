"""Queue an email in the caller's transaction; the mailer job sends it after commit.

Writing the notification with the state change that causes it means an email is
sent if and only if the change committed (an outbox for mail). Templates and
sending live in :mod:`services.enrolment.mail`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from services.enrolment.models import Notification

TEMPLATES = ("hold_confirmation", "waitlist_offer", "invoice", "payment_received",
             "refund_issued")


def queue(session: Session, template: str, recipient: str | None, context: dict[str, Any], *,
          subject_id: str | None = None, language: str = "id") -> Notification | None:
    """Add one email to send (nothing when there is no recipient address)."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown notification template {template!r}")
    if not recipient:
        return None
    notification = Notification(template=template, recipient=recipient, language=language,
                                context=context, subject_id=subject_id)
    session.add(notification)
    return notification
