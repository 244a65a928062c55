"""Waitlist reads and withdrawal (queueing and promotion are the kernel's: :mod:`.waitlist`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.enrolment import access, events
from services.enrolment.models import OfferedSession, WaitlistEntry
from shared.auth import Principal
from shared.db import Database
from shared.errors import NotFound
from shared.events import publish

W = WaitlistEntry


@dataclasses.dataclass(frozen=True)
class QueuedEntry:
    """A waitlist entry with its place in the queue (None once it left the queue)."""

    entry: WaitlistEntry
    position: int | None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.entry, name)


def session_waitlist(db: Database, principal: Principal, session_id: str) -> list[QueuedEntry]:
    """A session's queue, first come first: its provider's staff, auditors and admins."""
    with db.reading() as session:
        offered = session.get(OfferedSession, session_id)
        if offered is None or not (principal.reads_everything
                                   or access.acts_for_provider(principal, offered.provider_id)):
            raise NotFound("no such session")
        entries = session.scalars(select(W).where(W.session_id == session_id).order_by(W.id))
        return _numbered(list(entries))


def sme_waitlist(db: Database, principal: Principal, sme_id: str) -> list[QueuedEntry]:
    """The SME's waitlist entries (its users, auditors and admins), newest first."""
    if not (principal.reads_everything or access.acts_for_sme(principal, sme_id)):
        raise NotFound("no such SME")
    with db.reading() as session:
        entries = list(session.scalars(select(W).where(W.sme_id == sme_id)
                                       .order_by(W.id.desc())))
        return [queued(session, e) for e in entries]


def withdraw(db: Database, principal: Principal, entry_id: int) -> None:
    """The SME leaves a session's waitlist (409 once it was offered seats or lapsed)."""
    with db.transaction() as session:
        entry = session.scalars(select(W).where(W.id == entry_id).with_for_update()) \
            .one_or_none()
        if entry is None or not access.acts_for_sme(principal, entry.sme_id):
            raise NotFound("no such waitlist entry")
        entry.transition("withdraw")
        session.flush()
        publish(session, events.WAITLIST_WITHDRAWN, str(entry.id),
                events.waitlist_payload(entry, principal.subject), providerid=entry.provider_id)


def _numbered(entries: list[WaitlistEntry]) -> list[QueuedEntry]:
    out, waiting = [], 0
    for entry in entries:
        if entry.status == "waiting":
            waiting += 1
        out.append(QueuedEntry(entry, waiting if entry.status == "waiting" else None))
    return out


def queued(session: Session, entry: WaitlistEntry) -> QueuedEntry:
    """``entry`` with its place in its session's queue."""
    return QueuedEntry(entry, _position(session, entry))


def _position(session: Session, entry: WaitlistEntry) -> int | None:
    if entry.status != "waiting":
        return None
    return session.scalar(select(func.count()).select_from(W).where(
        W.session_id == entry.session_id, W.status == "waiting", W.id <= entry.id))
