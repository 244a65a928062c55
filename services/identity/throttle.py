"""Login throttling kept in the database, so every worker process sees the same counts.

Each password attempt reserves one row per key (the email and the client IP,
both stored as digests) *before* the password is checked, and a refused
reservation is a 429: the slow check never runs. A wrong password leaves the
rows as its recorded failures; a right one refunds them. Reservations of one
key are serialised (:func:`shared.locks.serialise_on`), so a burst of parallel
attempts gets at most the limit through, never one more. A key is blocked
while the window holds as many attempts as its limit; it opens again when the
oldest of those leaves the window.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.identity.config import ThrottlePolicy
from services.identity.models import LoginFailure
from shared.errors import TooManyRequests
from shared.locks import serialise_on

EMAIL, IP = "email", "ip"
# Expired rows each reservation sweeps at most (bounded work per sign-in).
_SWEEP = 100


@dataclasses.dataclass(frozen=True)
class Attempt:
    """A reserved sign-in attempt: it counts as a failure until refunded."""

    row_ids: tuple[int, ...]


def _key(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def reserve_attempt(session: Session, policy: ThrottlePolicy, email: str, ip: str,
                    now: dt.datetime) -> Attempt:
    """Count one attempt against ``email`` and ``ip``, or :class:`TooManyRequests`.

    Call it in a write transaction; the reservation is visible to other
    attempts once that transaction commits, and theirs wait for it.
    """
    keys = ((EMAIL, _key(email), policy.max_per_email), (IP, _key(ip), policy.max_per_ip))
    serialise_on(session, *(f"login-throttle:{scope}:{key}" for scope, key, _ in keys))
    _sweep_expired(session, now - dt.timedelta(seconds=policy.window_s))
    for scope, key, limit in keys:
        wait_s = _blocked_for(session, scope, key, limit, policy.window_s, now)
        if wait_s:
            raise TooManyRequests("too many failed sign-in attempts; try again later",
                                  retry_after=wait_s)
    rows = [LoginFailure(scope=scope, key=key, failed_at=now) for scope, key, _ in keys]
    session.add_all(rows)
    session.flush()
    return Attempt(tuple(row.id for row in rows))


def _blocked_for(session: Session, scope: str, key: str, limit: int, window_s: int,
                 now: dt.datetime) -> int:
    window = dt.timedelta(seconds=window_s)
    recent = session.scalars(
        select(LoginFailure.failed_at)
        .where(LoginFailure.scope == scope, LoginFailure.key == key,
               LoginFailure.failed_at > now - window)
        .order_by(LoginFailure.failed_at.desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return 0
    return max(1, math.ceil((recent[-1] + window - now).total_seconds()))


def _sweep_expired(session: Session, cutoff: dt.datetime) -> None:
    # SKIP LOCKED (PostgreSQL): concurrent sweeps take disjoint rows instead of
    # waiting for, or deadlocking on, each other's deletes.
    expired = (select(LoginFailure.id).where(LoginFailure.failed_at <= cutoff)
               .limit(_SWEEP).with_for_update(skip_locked=True))
    session.execute(delete(LoginFailure).where(LoginFailure.id.in_(expired.scalar_subquery())))


def succeeded(session: Session, attempt: Attempt, email: str) -> None:
    """The password was right: refund ``attempt`` and forget the email's failures."""
    session.execute(delete(LoginFailure).where(LoginFailure.id.in_(attempt.row_ids)))
    session.execute(delete(LoginFailure).where(LoginFailure.scope == EMAIL,
                                               LoginFailure.key == _key(email)))
