"""The waitlist: teams queue for a full session; freed seats go to the first team that fits.

:func:`promote` runs in every transaction that frees seats (an expiry, a
cancellation, a capacity increase from catalog). It walks the waiting entries
in queue order and opens a held enrolment – with its own expiry, an event and an
email – for each team that fits, skipping those that do not, until no seats are
left or the queue is done. Entries whose session closed for enrolment lapse.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.enrolment import events, lifecycle, rules
from services.enrolment.config import EnrolmentPolicy
from services.enrolment.models import Enrolment, OfferedSession, Sme, WaitlistEntry
from services.enrolment.rules import TeamMix
from services.enrolment.service import holds, notifications
from shared import clock
from shared.events import publish


def join(session: Session, offered: OfferedSession, sme: Sme, participants: list[dict], *,
         actor: str) -> WaitlistEntry:
    """Queue a team that did not fit (the caller checked the team and the window)."""
    entry = WaitlistEntry(session_id=offered.id, sme_id=sme.id, provider_id=offered.provider_id,
                          participants=participants,
                          participants_count=TeamMix.of(participants).size, created_by=actor)
    session.add(entry)
    session.flush()
    publish(session, events.WAITLIST_JOINED, str(entry.id), events.waitlist_payload(entry, actor),
            providerid=entry.provider_id)
    return entry


def promote(session: Session, session_id: str, *, actor: str, policy: EnrolmentPolicy) -> int:
    """Offer freed seats of ``session_id`` to waiting teams in order; returns offers made."""
    offered = session.get(OfferedSession, session_id, with_for_update=True, populate_existing=True)
    if offered is None:
        return 0
    queue = session.scalars(select(WaitlistEntry).where(
        WaitlistEntry.session_id == session_id, WaitlistEntry.status == "waiting")
        .order_by(WaitlistEntry.id).with_for_update()).all()
    if not queue:
        return 0
    if rules.enrolment_window_errors(offered.status, offered.enrolment_deadline, clock.today()):
        for entry in queue:
            _leave(session, entry, "lapse", actor)
        return 0
    offers = 0
    for entry in queue:
        if entry.participants_count > offered.seats_free:
            continue
        if _already_enrolled(session, entry):
            _leave(session, entry, "withdraw", actor)
            continue
        if _offer(session, offered, entry, actor=actor, policy=policy):
            offers += 1
            session.refresh(offered)
    return offers


def _offer(session: Session, offered: OfferedSession, entry: WaitlistEntry, *, actor: str,
           policy: EnrolmentPolicy) -> bool:
    sme = session.get(Sme, entry.sme_id)
    assert sme is not None  # foreign key
    enrolment = holds.open_enrolment(session, offered, sme, entry.participants, actor=actor,
                                     policy=policy, waitlist_entry_id=entry.id)
    if enrolment is None:
        return False
    entry.transition("offer")
    entry.enrolment_id = enrolment.id
    publish(session, events.WAITLIST_OFFERED, str(entry.id), events.waitlist_payload(entry, actor),
            providerid=entry.provider_id)
    notifications.queue(session, "waitlist_offer", sme.contact_email, {
        "sme": sme.legal_name, "session": offered.title_id,
        "participants": enrolment.participants_count,
        "expires_at": enrolment.expires_at.isoformat() if enrolment.expires_at else None},
        subject_id=enrolment.id)
    return True


def _leave(session: Session, entry: WaitlistEntry, action: str, actor: str) -> None:
    """An entry leaves the queue without an offer (``withdraw`` or ``lapse``), with its event."""
    entry.transition(action)
    kind = events.WAITLIST_WITHDRAWN if action == "withdraw" else events.WAITLIST_LAPSED
    publish(session, kind, str(entry.id), events.waitlist_payload(entry, actor),
            providerid=entry.provider_id)


def _already_enrolled(session: Session, entry: WaitlistEntry) -> bool:
    return session.scalar(select(Enrolment.id).where(
        Enrolment.sme_id == entry.sme_id, Enrolment.session_id == entry.session_id,
        Enrolment.status.in_(lifecycle.OPEN_ENROLMENT_STATES))) is not None
