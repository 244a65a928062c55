"""Login throttling kept in the database, so every worker process sees the same counts.

Each failed password attempt adds one row per key (the email and the client
IP, both stored as digests). A key is blocked while the window holds as many
failures as its limit; it opens again when the oldest of those leaves the window.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.identity.config import ThrottlePolicy
from services.identity.models import LoginFailure
from shared.errors import TooManyRequests

EMAIL, IP = "email", "ip"


def _key(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def ensure_allowed(session: Session, policy: ThrottlePolicy, email: str, ip: str,
                   now: dt.datetime) -> None:
    """Raise :class:`TooManyRequests` while ``email`` or ``ip`` has too many recent failures."""
    for scope, value, limit in ((EMAIL, email, policy.max_per_email),
                                (IP, ip, policy.max_per_ip)):
        wait_s = _blocked_for(session, scope, _key(value), limit, policy.window_s, now)
        if wait_s:
            raise TooManyRequests("too many failed sign-in attempts; try again later",
                                  retry_after=wait_s)


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


def record_failure(session: Session, policy: ThrottlePolicy, email: str, ip: str,
                   now: dt.datetime) -> None:
    """Count one failed attempt against ``email`` and ``ip``; forget expired ones."""
    cutoff = now - dt.timedelta(seconds=policy.window_s)
    session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= cutoff))
    session.add_all([LoginFailure(scope=EMAIL, key=_key(email), failed_at=now),
                     LoginFailure(scope=IP, key=_key(ip), failed_at=now)])


def reset(session: Session, email: str) -> None:
    """Forget the failures of ``email`` (after a successful sign-in)."""
    session.execute(delete(LoginFailure).where(LoginFailure.scope == EMAIL,
                                               LoginFailure.key == _key(email)))
