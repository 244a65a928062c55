"""Seat counters of the sessions read model, moved only by single conditional UPDATEs.

``hold`` is the one place capacity is enforced: ``seats_held + seats_confirmed +
n <= capacity`` is part of the UPDATE's WHERE clause, so no two transactions can
both see a seat free and both take it – on PostgreSQL the row lock makes the
second re-check the condition against the first's result; on SQLite writers are
serialised by ``BEGIN IMMEDIATE``. Never read the counters and then write them.
"""

from __future__ import annotations

import functools
from typing import Any, cast

from sqlalchemy import CursorResult, Integer, Update, bindparam, update
from sqlalchemy.orm import Session

from services.enrolment.models import OfferedSession

S = OfferedSession


def hold(session: Session, session_id: str, seats: int) -> bool:
    """Hold ``seats`` if the session is open and they fit; False when they do not."""
    result = session.execute(_hold_statement(), {"session_id": session_id, "seats": seats})
    return cast("CursorResult[Any]", result).rowcount == 1


@functools.cache
def _hold_statement() -> Update:
    # Built once per process (the hold is the hot path); each call binds its values.
    seats = bindparam("seats", type_=Integer)
    return (update(S).where(S.id == bindparam("session_id"), S.status == "published",
                            S.seats_held + S.seats_confirmed + seats <= S.capacity)
            .values(seats_held=S.seats_held + seats)
            .execution_options(synchronize_session=False))


def confirm(session: Session, session_id: str, seats: int) -> None:
    """Held seats become confirmed (paid)."""
    _move(session, session_id, held=-seats, confirmed=seats)


def release_held(session: Session, session_id: str, seats: int) -> None:
    """Held seats go back (an expired or cancelled unpaid enrolment)."""
    _move(session, session_id, held=-seats, confirmed=0)


def release_confirmed(session: Session, session_id: str, seats: int) -> None:
    """Confirmed seats go back (a cancelled paid enrolment)."""
    _move(session, session_id, held=0, confirmed=-seats)


def _move(session: Session, session_id: str, held: int, confirmed: int) -> None:
    result = session.execute(
        update(S).where(S.id == session_id)
        .values(seats_held=S.seats_held + held, seats_confirmed=S.seats_confirmed + confirmed)
        .execution_options(synchronize_session=False))
    if cast("CursorResult[Any]", result).rowcount != 1:
        raise LookupError(f"session {session_id} is not in the sessions read model")
