"""Enrolment use cases: an SME enrols a team (seats held, or a waitlist place); reads and lists.

The seats are taken by the kernel's one conditional UPDATE (:mod:`.holds`,
:mod:`.seats`), never by reading the free seats first; what is checked here
before is who acts, the team rules, the enrolment window and the one open
enrolment (or waiting entry) per SME and session, backed by partial unique indexes.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from typing import Any

from sqlalchemy import BindParameter, Select, String, bindparam, cast, select, true
from sqlalchemy.orm import Session

from services.enrolment import access, lifecycle, rules
from services.enrolment.config import EnrolmentPolicy
from services.enrolment.models import Enrolment, OfferedSession, Payment, Sme, WaitlistEntry
from services.enrolment.rules import TeamMix
from services.enrolment.service import expiry, holds, waitlist, waitlist_entries
from services.enrolment.service.waitlist_entries import QueuedEntry
from shared import clock
from shared.auth import Principal
from shared.conflicts import retry_conflicts
from shared.db import Database
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.pages import newest_first
from shared.persistence import unique_violation

_ENROLLED = {"session_id": ["your SME already has an open enrolment in this session"]}
_WAITING = {"session_id": ["your SME is on this session's waitlist: withdraw that entry first"]}


class SessionFull(Conflict):
    """The team does not fit in the seats left (the problem says how many are free)."""

    title, type_slug = "Session full", "session-full"


@dataclasses.dataclass(frozen=True)
class Enrolled:
    """What enrolling a team gave: a held enrolment, or (session full) a waitlist entry."""

    enrolment: Enrolment | None = None
    waitlist_entry: QueuedEntry | None = None


@dataclasses.dataclass(frozen=True)
class EnrolmentView:
    """An enrolment with its payments, as ``EnrolmentOut`` shows it."""

    enrolment: Enrolment
    payments: list[Payment]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.enrolment, name)


@retry_conflicts
def enrol_team(db: Database, principal: Principal, policy: EnrolmentPolicy, session_id: str,
               data: dict[str, Any]) -> Enrolled:
    """Hold seats for the SME's team in a published session before its deadline.

    409 when the SME already has an open enrolment (or a waiting entry) there, when
    enrolment is closed, or – ``session-full`` with ``seats_free`` – when the team does
    not fit, unless ``join_waitlist_if_full``: then the team queues (FIFO).
    """
    sme_id = acting_sme(principal)
    participants = data["participants"]
    mix = TeamMix.of(participants)
    with db.transaction() as session:
        offered, sme, enrolled, waiting = _load(session, session_id, sme_id)
        team = rules.team_errors(mix, policy, offered.max_participants_per_enterprise)
        if team:
            raise ValidationFailed("the team does not meet the enrolment rules", errors=team)
        _ensure_open(offered)
        _ensure_not_enrolled(enrolled, waiting)
        enrolment = _hold(session, offered, sme, participants, principal, policy)
        if enrolment is None and data["join_waitlist_if_full"]:
            # Queue under the session's row lock, after one more try: a release
            # committing meanwhile either freed the seats for this try, or waits for
            # this transaction and then offers them to the queue, this team included.
            session.refresh(offered, with_for_update=True)
            enrolment = _hold(session, offered, sme, participants, principal, policy)
        if enrolment is not None:
            return Enrolled(enrolment=enrolment)
        session.refresh(offered)
        _ensure_open(offered)  # a cancellation may have closed it meanwhile
        if not data["join_waitlist_if_full"]:
            raise SessionFull(f"{mix.size} seats asked, {offered.seats_free} free",
                              errors={"participants": ["the team does not fit in the seats "
                                                       "left"]},
                              seats_free=offered.seats_free, seats_requested=mix.size)
        with unique_violation("your SME is on this session's waitlist", _WAITING):
            entry = waitlist.join(session, offered, sme, participants, actor=principal.subject)
        return Enrolled(waitlist_entry=waitlist_entries.queued(session, entry))


def _load(session: Session, session_id: str, sme_id: str
          ) -> tuple[OfferedSession, Sme, bool, bool]:
    """The session and the SME, and whether the SME already enrolled or waits there.

    One statement (the hold is the hot path). Two requests of one SME racing past
    these checks are stopped by the partial unique indexes: one open enrolment and
    one waiting entry per SME and session (a 409 from :func:`unique_violation`).
    """
    row = session.execute(_load_statement(),
                          {"session_id": session_id, "sme_id": sme_id}).one_or_none()
    if row is None:
        if session.get(OfferedSession, session_id) is None:
            raise NotFound("no such session")
        raise NotFound("no such SME: register it first")
    return row[0], row[1], bool(row[2]), bool(row[3])


def _hold(session: Session, offered: OfferedSession, sme: Sme, participants: list[dict],
          principal: Principal, policy: EnrolmentPolicy) -> Enrolment | None:
    with unique_violation("your SME already has an open enrolment here", _ENROLLED):
        return holds.open_enrolment(session, offered, sme, participants,
                                    actor=principal.subject, policy=policy)


def acting_sme(principal: Principal) -> str:
    """The SME an ``sme_user`` acts for (403 before it has registered one)."""
    if principal.role != "sme_user" or principal.org is None:
        raise Forbidden("only a user of a registered SME enrols teams")
    return principal.org


def _ensure_open(offered: OfferedSession) -> None:
    closed = rules.enrolment_window_errors(offered.status, offered.enrolment_deadline,
                                           clock.today())
    if closed:
        raise Conflict("enrolment in this session is closed", errors=closed)


@functools.cache
def _load_statement() -> Select:
    """Built once per process; each hold only binds its ids."""
    session_id: BindParameter[str] = bindparam("session_id")
    sme_id: BindParameter[str] = bindparam("sme_id")
    enrolled = select(Enrolment.id).where(
        Enrolment.sme_id == sme_id, Enrolment.session_id == session_id,
        Enrolment.status.in_(lifecycle.OPEN_ENROLMENT_STATES)).exists()
    waiting = select(WaitlistEntry.id).where(
        WaitlistEntry.sme_id == sme_id, WaitlistEntry.session_id == session_id,
        WaitlistEntry.status == "waiting").exists()
    return (select(OfferedSession, Sme, enrolled, waiting)
            .join(Sme, true())  # two primary-key rows side by side
            .where(OfferedSession.id == session_id, Sme.id == sme_id))


def _ensure_not_enrolled(enrolled: bool, waiting: bool) -> None:
    if enrolled:
        raise Conflict("your SME already has an open enrolment in this session",
                       errors=_ENROLLED)
    if waiting:
        raise Conflict("your SME is on this session's waitlist", errors=_WAITING)


def get_enrolment(db: Database, principal: Principal, policy: EnrolmentPolicy,
                  enrolment_id: str) -> EnrolmentView:
    """An enrolment the caller may see, with participants and payments (else 404).

    A hold past its expiry that the reaper has not reached yet is expired now (in a
    write transaction of its own, only then), so nobody is shown a dead hold as live.
    """
    with db.reading() as session:
        enrolment = _visible(session, principal, enrolment_id)
        overdue = expiry.is_overdue(enrolment, policy)
    if overdue:
        expiry.expire_if_overdue(db, enrolment_id, policy)
    with db.reading() as session:
        enrolment = _visible(session, principal, enrolment_id)
        payments = list(session.scalars(select(Payment).where(
            Payment.enrolment_id == enrolment_id).order_by(Payment.created_at)))
        return EnrolmentView(enrolment, payments)


def _visible(session: Session, principal: Principal, enrolment_id: str) -> Enrolment:
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise NotFound("no such enrolment")
    offered = session.get(OfferedSession, enrolment.session_id)
    assert offered is not None  # foreign key
    access.ensure_reads_enrolment(principal, enrolment, offered)
    return enrolment


def list_enrolments(db: Database, principal: Principal, args: dict[str, Any]) -> dict[str, Any]:
    """A page of the enrolments the caller may see: its SME's, its provider's sessions',
    the sessions it trains; auditors and admins all."""
    with db.reading() as session:
        query = _filtered(select(Enrolment), args)
        if not principal.reads_everything:
            query = _scoped(session, query, principal)
        return newest_first(session, query, Enrolment, args)


def list_session_enrolments(db: Database, principal: Principal, session_id: str,
                            args: dict[str, Any]) -> dict[str, Any]:
    """A page of one session's enrolments: its provider's staff, its trainers, auditors."""
    with db.reading() as session:
        offered = session.get(OfferedSession, session_id)
        if offered is None or not (
                principal.reads_everything or access.trains(principal, offered)
                or access.acts_for_provider(principal, offered.provider_id)):
            raise NotFound("no such session")
        query = _filtered(select(Enrolment).where(Enrolment.session_id == session_id), args)
        return newest_first(session, query, Enrolment, args)


def _filtered(query, args: dict[str, Any]):
    for name in ("status", "session_id", "sme_id"):
        if name in args:
            query = query.where(getattr(Enrolment, name) == args[name])
    return query


def _scoped(session: Session, query, principal: Principal):
    if principal.role == "sme_user":
        return query.where(Enrolment.sme_id == (principal.org or ""))
    if principal.role == "provider_staff":
        return query.where(Enrolment.provider_id == (principal.org or ""))
    if principal.role == "trainer":
        return query.where(Enrolment.session_id.in_(trained_sessions(session, principal)))
    raise Forbidden(f"role {principal.role!r} sees no enrolments")


def trained_sessions(session: Session, principal: Principal) -> list[str]:
    """Ids of the sessions listing the caller as a trainer."""
    # The trainers are a JSON list: a portable text match narrows, the exact check decides.
    # Stored JSON escapes as json.dumps does, so the text looked for is escaped alike.
    stored = json.dumps(principal.subject)[1:-1]
    pattern = "%" + stored.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = session.execute(select(OfferedSession.id, OfferedSession.trainers).where(
        cast(OfferedSession.trainers, String).like(pattern, escape="\\")))
    return [session_id for session_id, trainers in rows
            if any(t.get("trainer_id") == principal.subject for t in trainers)]
