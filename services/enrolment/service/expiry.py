"""Expiry of unpaid holds: the reaper job, and the lazy check when an enrolment is read.

A hold lapses at its ``expires_at``: for ``held`` enrolments at once; for an
open card checkout (``awaiting_payment``, method ``card``) only after
``card_expiry_grace_s`` more, so a payment Stripe accepted at the last second
can still confirm; for a bank transfer at ``expires_at`` too, which the
payments side sets to the end of the invoice's due date.

Each lapse runs in its own small transaction: the enrolment row is locked and
checked again (:func:`is_overdue`), so one that got paid or cancelled in the
meantime is left alone, and one bad row never holds back the others. The seats
go back and the waitlist is promoted (:func:`holds.release`).

The reaper is a :class:`~shared.jobs.PeriodicJob` with one leader per database
(the relay's advisory lock), every ``reaper_interval_s``; a round handles at
most :data:`BATCH` enrolments, and a full round runs again at once.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from services.enrolment.config import EnrolmentPolicy, load_policy
from services.enrolment.models import Enrolment
from services.enrolment.service import bank, holds
from shared import clock
from shared.conflicts import retry_conflicts
from shared.db import Database
from shared.jobs import Job, JobContext, PeriodicJob

log = logging.getLogger(__name__)

BATCH = 100
REAPER = "system:reaper"
E = Enrolment


def lapses_at(enrolment: Enrolment, policy: EnrolmentPolicy) -> dt.datetime | None:
    """When the enrolment's hold lapses (None: it holds no unpaid seats)."""
    if not enrolment.holds_seats or enrolment.expires_at is None:
        return None
    if enrolment.status == "awaiting_payment" and enrolment.payment_method == "card":
        return enrolment.expires_at + dt.timedelta(seconds=policy.card_expiry_grace_s)
    return enrolment.expires_at


def is_overdue(enrolment: Enrolment, policy: EnrolmentPolicy,
               now: dt.datetime | None = None) -> bool:
    """The hold has lapsed and the seats are still held."""
    lapse = lapses_at(enrolment, policy)
    return lapse is not None and lapse <= (now or clock.now())


def expire(session: Session, enrolment: Enrolment, *, policy: EnrolmentPolicy,
           actor: str = REAPER) -> None:
    """Let a lapsed hold go (the caller locked the row and checked :func:`is_overdue`).

    An overdue invoice fails with it. An open card checkout stays pending: Stripe
    reports how it ended (expired, or paid late – then the seats are re-taken or
    the payment refunded, :mod:`.webhooks`).
    """
    holds.release(session, enrolment, "expire", actor=actor, reason="the hold lapsed unpaid",
                  policy=policy)
    bank.lapse_invoices(session, enrolment, actor=actor)


@retry_conflicts
def expire_if_overdue(db: Database, enrolment_id: str, policy: EnrolmentPolicy, *,
                      actor: str = REAPER) -> bool:
    """Expire one enrolment in its own transaction if – checked under its row lock – it is due."""
    with db.transaction() as session:
        enrolment = session.scalars(select(E).where(E.id == enrolment_id)
                                    .with_for_update()).one_or_none()
        if enrolment is None or not is_overdue(enrolment, policy):
            return False
        expire(session, enrolment, policy=policy, actor=actor)
        return True


def overdue_ids(db: Database, policy: EnrolmentPolicy, limit: int = BATCH) -> list[str]:
    """Up to ``limit`` enrolments whose hold has lapsed, the longest overdue first."""
    now = clock.now()
    card_cutoff = now - dt.timedelta(seconds=policy.card_expiry_grace_s)
    is_card = and_(E.status == "awaiting_payment", func.coalesce(E.payment_method, "") == "card")
    query = (select(E.id).where(
        E.status.in_(("held", "awaiting_payment")),
        or_(and_(is_card, E.expires_at <= card_cutoff),
            and_(~is_card, E.expires_at <= now)))
        .order_by(E.expires_at).limit(limit))
    with db.reading() as session:
        return list(session.scalars(query))


def reap(db: Database, policy: EnrolmentPolicy, limit: int = BATCH) -> int:
    """One round: expire up to ``limit`` lapsed holds; returns how many expired."""
    candidates = overdue_ids(db, policy, limit)
    expired = 0
    for enrolment_id in candidates:
        try:
            expired += expire_if_overdue(db, enrolment_id, policy)
        except Exception:  # one bad row must not hold back the others
            log.exception("could not expire a hold", extra={"enrolment_id": enrolment_id})
    if expired:
        log.info("holds expired", extra={"expired": expired})
    return expired


def build_reaper(context: JobContext) -> PeriodicJob:
    """The reaper job of a service process (``score job enrolment reaper``)."""
    policy = load_policy(context.settings)
    return PeriodicJob(context.db, "enrolment", "reaper", lambda: reap(context.db, policy),
                       interval_s=policy.reaper_interval_s, batch=BATCH,
                       heartbeat=context.heartbeat)


REAPER_JOB = Job("reaper", build_reaper,
                 "expires unpaid seat holds past their expiry and promotes the waitlist")
