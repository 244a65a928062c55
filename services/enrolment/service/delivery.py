"""Who may read and record delivery (attendance, visits) of an enrolment or a session.

Shared by :mod:`.attendance`, :mod:`.completion` and :mod:`.visits`: the row is
loaded (locked when the caller will change it), then the caller's rights are
checked – a row the caller may not see is absent (404), one it may see but not
change is 403 (:mod:`services.enrolment.access`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.enrolment import access
from services.enrolment.models import Enrolment, OfferedSession
from shared.auth import Principal
from shared.errors import Forbidden, NotFound
from shared.persistence import load

# Enrolments that take part in the training (attendance sheets list them).
ATTENDING = ("confirmed", "completed")


def enrolment_and_session(session: Session, enrolment_id: str, *,
                          lock: bool = False) -> tuple[Enrolment, OfferedSession]:
    """The enrolment (locked if asked) and its session as enrolment knows it; 404 if absent."""
    enrolment = load(session, Enrolment, enrolment_id, lock=lock, entity="enrolment")
    offered = session.get(OfferedSession, enrolment.session_id)
    assert offered is not None  # foreign key
    return enrolment, offered


def readable(session: Session, principal: Principal,
             enrolment_id: str) -> tuple[Enrolment, OfferedSession]:
    """An enrolment the caller may read: its SME, provider, trainers, auditors, admins."""
    enrolment, offered = enrolment_and_session(session, enrolment_id)
    access.ensure_reads_enrolment(principal, enrolment, offered)
    return enrolment, offered


def deliverable(session: Session, principal: Principal, enrolment_id: str, *,
                lock: bool = True) -> tuple[Enrolment, OfferedSession]:
    """An enrolment whose delivery the caller records: the session's provider or trainers."""
    enrolment, offered = enrolment_and_session(session, enrolment_id, lock=lock)
    access.ensure_delivers(principal, enrolment, offered)
    return enrolment, offered


def session_sheet_reader(session: Session, principal: Principal,
                         session_id: str) -> OfferedSession:
    """A session whose delivery the caller sees: its provider, trainers, auditors, admins."""
    offered = session.get(OfferedSession, session_id)
    if offered is None or not (principal.reads_everything
                               or access.acts_for_provider(principal, offered.provider_id)
                               or access.trains(principal, offered)):
        raise NotFound("no such session")
    return offered


def session_of_provider(session: Session, principal: Principal,
                        session_id: str) -> OfferedSession:
    """A session the caller's provider runs (its trainers see it but may not close it)."""
    offered = session_sheet_reader(session, principal, session_id)
    if not access.acts_for_provider(principal, offered.provider_id):
        raise Forbidden("only the session's provider closes its attendance")
    return offered
