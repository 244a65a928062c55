"""Serialising "check, then write" use cases on a name, on both databases.

A use case that counts rows and then inserts one (a login attempt under a limit,
a second provider registration by the same user) races with itself: two
transactions both count before either inserts. :func:`serialise_on` makes the
second wait until the first has committed, so its count sees the first's row.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session


def serialise_on(session: Session, *names: str) -> None:
    """Hold ``names`` until ``session``'s transaction ends; others wait for them.

    PostgreSQL: transaction-scoped advisory locks, in the two-integer key space
    (the migration and relay-leader locks use the one-bigint space, so they never
    collide), taken in one global order so that transactions locking overlapping
    names cannot deadlock. SQLite: every write transaction already holds the
    database's write lock from its first statement (``BEGIN IMMEDIATE``,
    :mod:`shared.db`), which serialises them; nothing more to take.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for high, low in sorted({_lock_key(name) for name in names}):
        session.execute(text("SELECT pg_advisory_xact_lock(:high, :low)"),
                        {"high": high, "low": low})


def _lock_key(name: str) -> tuple[int, int]:
    digest = hashlib.sha256(name.encode()).digest()
    return (int.from_bytes(digest[:4], "big", signed=True),
            int.from_bytes(digest[4:8], "big", signed=True))
