"""The enrolment kernel: open a team's hold, confirm it, release it – seats, state and events.

Every path that changes how many seats an enrolment takes goes through here, in
the caller's transaction, so the counters (:mod:`.seats`), the enrolment's state
and the event catalog reads (``hold_id``) always agree. Callers check the rules
(team, deadline, who may act) before; these functions only refuse what would
break an invariant.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.enrolment import events
from services.enrolment.config import EnrolmentPolicy
from services.enrolment.models import Enrolment, OfferedSession, Participant, Sme, new_id
from services.enrolment.rules import TeamMix
from services.enrolment.service import notifications, seats
from shared import clock
from shared.events import EventType, publish

PARTICIPANT_FIELDS = ("full_name", "gender", "role", "position", "email", "phone")


def open_enrolment(session: Session, offered: OfferedSession, sme: Sme,
                   participants: list[dict], *, actor: str, policy: EnrolmentPolicy,
                   waitlist_entry_id: int | None = None) -> Enrolment | None:
    """Hold seats for the team and create its enrolment (``held``); None if it does not fit."""
    mix = TeamMix.of(participants)
    price = offered.price_per_participant or 0
    if not seats.hold(session, offered.id, mix.size):
        return None
    enrolment_id = new_id()
    amount = mix.size * price
    expires_at = clock.now() + dt.timedelta(minutes=policy.hold_minutes)
    enrolment = Enrolment(
        id=enrolment_id, session_id=offered.id, sme_id=sme.id, provider_id=offered.provider_id,
        module_code=offered.module_code, participants_count=mix.size, managers=mix.managers,
        workers=mix.workers, women=mix.women, men=mix.men, price_per_participant=price,
        amount_due=amount, sponsor_share=0, sme_share=amount, hold_id=enrolment_id,
        hold_generation=1, expires_at=expires_at,
        waitlist_entry_id=waitlist_entry_id, created_by=actor,
        participants=[Participant(**{k: p.get(k) for k in PARTICIPANT_FIELDS})
                      for p in participants])
    session.add(enrolment)
    # Queued before the flush: one flush writes the enrolment, its team and the email.
    notifications.queue(session, "hold_confirmation", sme.contact_email, {
        "sme": sme.legal_name, "session": offered.title_id, "participants": mix.size,
        "amount": enrolment.sme_share, "expires_at": expires_at.isoformat()},
        subject_id=enrolment.id)
    session.flush()
    _announce(session, events.ENROLMENT_HELD, enrolment, offered, sme, actor=actor)
    return enrolment


def confirm(session: Session, enrolment: Enrolment, action: str, *, actor: str,
            reason: str | None = None) -> None:
    """``pay`` (awaiting payment) or ``confirm`` (nothing to pay): the held seats are kept."""
    enrolment.transition(action, actor=actor, reason=reason, now=clock.now())
    seats.confirm(session, enrolment.session_id, enrolment.participants_count)
    _announce(session, events.ENROLMENT_CONFIRMED, enrolment, actor=actor)


def retake_and_confirm(session: Session, enrolment: Enrolment, *, actor: str) -> bool:
    """A payment for an expired hold: take the seats again if they fit, and confirm.

    The new seats get a new hold id (catalog ignores news about a released hold).
    Returns False, changing nothing, when the seats are gone (the caller refunds).
    """
    if not seats.hold(session, enrolment.session_id, enrolment.participants_count):
        return False
    enrolment.retake_hold()
    enrolment.transition("late_payment", actor=actor, reason="paid after the hold lapsed",
                         now=clock.now())
    seats.confirm(session, enrolment.session_id, enrolment.participants_count)
    _announce(session, events.ENROLMENT_CONFIRMED, enrolment, actor=actor)
    return True


def release(session: Session, enrolment: Enrolment, action: str, *, actor: str,
            reason: str | None, policy: EnrolmentPolicy) -> None:
    """``cancel`` or ``expire``: give the seats back and offer them to the waitlist."""
    from services.enrolment.service import waitlist

    before = enrolment.transition(action, actor=actor, reason=reason, now=clock.now())
    if before in ("held", "awaiting_payment"):
        seats.release_held(session, enrolment.session_id, enrolment.participants_count)
    else:
        seats.release_confirmed(session, enrolment.session_id, enrolment.participants_count)
    kind = events.ENROLMENT_CANCELLED if action == "cancel" else events.ENROLMENT_EXPIRED
    _announce(session, kind, enrolment, actor=actor)
    waitlist.promote(session, enrolment.session_id, actor=actor, policy=policy)


def _announce(session: Session, kind: EventType, enrolment: Enrolment,
              offered: OfferedSession | None = None, sme: Sme | None = None, *,
              actor: str) -> None:
    offered = offered or session.get(OfferedSession, enrolment.session_id)
    sme = sme or session.get(Sme, enrolment.sme_id)
    assert offered is not None and sme is not None  # foreign keys
    publish(session, kind, enrolment.id, events.enrolment_payload(enrolment, offered, sme, actor),
            providerid=enrolment.provider_id)
