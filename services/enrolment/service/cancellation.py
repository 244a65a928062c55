"""Cancelling enrolments: by the SME or the provider, and by the catalog cancelling a session.

Two parts, kept apart on purpose:

- **state and seats** (here): the lifecycle's ``cancel`` (409 from any state
  that does not allow it), seats released, the waitlist promoted and
  ``enrolment.cancelled`` published – all through :func:`holds.release`, in
  the caller's transaction;
- **money** (:func:`refunds.refund_for_cancellation`, the payments side): open
  payments closed and the refund the cancellation policy grants – a share by date
  for the SME or provider (``rules.refund_percent``), everything for a session the
  catalog cancelled – in the same transaction, so a cancellation and its refund
  request commit together or not at all (a card checkout completing at that very
  moment makes the cancellation a 409: try again once it is paid).

Lock order: the enrolment row (callers load it ``FOR UPDATE``), then the
session row (the seat counters), then waitlist rows.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.enrolment import access, rules
from services.enrolment.config import EnrolmentPolicy, current_policy
from services.enrolment.models import Enrolment, OfferedSession
from services.enrolment.service import holds, refunds
from shared import clock
from shared.auth import Principal
from shared.conflicts import retry_conflicts
from shared.db import Database
from shared.errors import Forbidden
from shared.persistence import load


@retry_conflicts
def cancel_enrolment(db: Database, principal: Principal, policy: EnrolmentPolicy,
                     enrolment_id: str, reason: str) -> Enrolment:
    """The SME (its users) or the session's provider staff call an enrolment off (409 if it
    cannot be: completed, already cancelled or expired)."""
    with db.transaction() as session:
        enrolment = load(session, Enrolment, enrolment_id, lock=True, entity="enrolment")
        offered = session.get(OfferedSession, enrolment.session_id)
        assert offered is not None  # foreign key
        access.ensure_reads_enrolment(principal, enrolment, offered)
        if not (access.acts_for_sme(principal, enrolment.sme_id)
                or access.acts_for_provider(principal, enrolment.provider_id)):
            raise Forbidden("only the SME or the session's provider cancels an enrolment")
        cancel(session, enrolment, actor=principal.subject, reason=reason, policy=policy)
        return enrolment


def cancel(session: Session, enrolment: Enrolment, *, actor: str, reason: str | None,
           policy: EnrolmentPolicy) -> None:
    """Cancel ``enrolment`` (locked by the caller) by its SME or provider: state and seats,
    then the policy's share of what was paid refunded (full ≥ 7 days before the start,
    half after, nothing once started – :func:`rules.refund_percent`)."""
    holds.release(session, enrolment, "cancel", actor=actor, reason=reason, policy=policy)
    offered = session.get(OfferedSession, enrolment.session_id)
    assert offered is not None  # foreign key
    percent = rules.refund_percent(clock.today(), offered.start_date,
                                   started=offered.status in ("in_progress", "completed"),
                                   policy=policy)
    refunds.refund_for_cancellation(session, enrolment, percent, actor=actor,
                                    reason=reason or "enrolment_cancelled")


def cancel_for_session(session: Session, enrolment: Enrolment, actor: str, reason: str | None,
                       *, policy: EnrolmentPolicy | None = None) -> None:
    """Cancel an open enrolment (locked by the caller) of a session the catalog cancelled.

    Runs in the inbox transaction of ``session.cancelled``: the enrolment's state
    guard (only open ones are cancelled) and the inbox make it happen once.
    ``reason`` is recorded as the enrolment's ``status_reason``.
    Whatever was paid is refunded in full.
    """
    holds.release(session, enrolment, "cancel", actor=actor, reason=reason,
                  policy=policy or current_policy())
    refunds.refund_for_cancellation(session, enrolment, 100, actor=actor,
                                    reason="session_cancelled")
