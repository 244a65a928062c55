"""Search freshness: every committed change to search results is versioned and described.

Any transaction on a catalog session that inserts, updates or deletes a provider,
course or session bumps ``catalog_search_version`` once, just before it commits,
and writes one ``catalog_search_changes`` row for the new version: the one session
it changed, or ``NULL`` when it may have changed anything (a provider, a course,
several sessions, a statement we cannot read). Flushes of entities are seen in
``after_flush``; DML statements run through a session (``session.execute(update(...))``,
as the seats read model does) in ``do_orm_execute``. The bump is the transaction's
last statement: on PostgreSQL the version row lock is held only for the commit, a
transaction holding it waits for no other lock (no deadlock through it), and
versions commit in the order they are numbered. A change is "seats only" when
nothing but one session's ``seats_taken`` changed: an entity flush whose history
says so, or a DML statement by primary key run with ``execution_options(**SEATS_ONLY)``
(the seats read model's). Only raw SQL text (or a connection outside any session)
escapes this: call :func:`mark_everything` there.

The listeners are bound by :func:`bind` to the sessions of one catalog
:class:`~shared.db.Database` (``catalog.runtime().database(url)`` does it), never to
SQLAlchemy's global ``Session``.

Readers call :func:`current_version` (one primary-key read, the only read while
nothing changes) and, when it moved, :func:`changes_since`: the current version
and the changes after the one they have applied, with the changed session's
current state, in one statement (one snapshot, one round trip).
"""

from __future__ import annotations

import functools
import itertools
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, delete, insert, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter

from services.catalog.models import Course, Provider, SearchChange, SearchVersion, TrainingSession
from shared.db import Database

_TOUCHED = "catalog_search_touched"
_MORE_THAN_SEATS = "catalog_search_more_than_seats"
EVERYTHING = "*"  # in the touched set: the transaction may have changed any result
# Execution options of a DML statement that changes nothing but seats taken.
SEATS_ONLY = {"catalog_search_seats_only": True}
_SEAT_ATTRIBUTES = frozenset({"seats_taken", "updated_at"})
SESSIONS = TrainingSession.__table__
_SEARCHED_TABLES = frozenset(model.__table__ for model in (Provider, Course, TrainingSession))
KEEP_CHANGES = 1000  # change rows kept; a reader further behind drops its whole cache
CATCH_UP = 500  # at most this many changes are read; further behind, a reader starts over


class SessionState(NamedTuple):
    """What a changed session looks like now, as far as search filters and sorts go."""

    status: str
    provider_status: str
    provider_id: str
    module_code: str
    province_code: str
    city_key: str
    language: str
    start_date: Any
    price: int | None
    capacity: int
    seats_taken: int


class Change(NamedTuple):
    """One committed version: the session it changed (``None``: anything) and its state now."""

    version: int
    session_id: str | None
    state: SessionState | None  # None: everything changed, or the session is gone
    seats_only: bool = False  # nothing but the session's seats taken changed


def bind(db: Database) -> None:
    """Make every write through ``db``'s sessions bump and describe the search version."""
    db.listen_sessions("after_flush", _entities_flushed)
    db.listen_sessions("do_orm_execute", _statement_executed)
    db.listen_sessions("before_commit", _record_on_commit)
    db.listen_sessions("after_rollback", _forget_on_rollback)


def mark_everything(session: Session) -> None:
    """Record, when this catalog session commits, that any search result may have changed."""
    _touch(session, EVERYTHING, seats_only=False)


def _touch(session: Session, session_id: str, *, seats_only: bool) -> None:
    _touched(session).add(session_id)
    if not seats_only:
        session.info[_MORE_THAN_SEATS] = True


def _touched(session: Session) -> set[str]:
    return session.info.setdefault(_TOUCHED, set())


def _entities_flushed(session: Session, _context) -> None:
    dirty = session.dirty
    for entity in itertools.chain(session.new, dirty, session.deleted):
        if not isinstance(entity, Provider | Course | TrainingSession):
            continue
        if entity in dirty and not session.is_modified(entity, include_collections=False):
            continue
        if isinstance(entity, TrainingSession):
            _touch(session, entity.id, seats_only=entity in dirty and _seats_only(entity))
        else:
            _touch(session, EVERYTHING, seats_only=False)


def _seats_only(entity: TrainingSession) -> bool:
    changed = {attribute.key for attribute in inspect(entity).attrs
               if attribute.history.has_changes()}
    return changed <= _SEAT_ATTRIBUTES


def _statement_executed(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if table in _SEARCHED_TABLES:
        session_id = _one_session(state) if table in {SESSIONS} else None
        seats_only = bool(session_id and state.execution_options.get(
            "catalog_search_seats_only"))
        _touch(state.session, session_id or EVERYTHING, seats_only=seats_only)


def _one_session(state: ORMExecuteState) -> str | None:
    """The id in ``UPDATE sessions … WHERE sessions.id = <value>``; ``None`` for any other shape."""
    where = getattr(state.statement, "whereclause", None)
    if not (state.is_update and isinstance(where, BinaryExpression)
            and where.operator is operators.eq and isinstance(where.right, BindParameter)):
        return None
    column = where.left
    if getattr(column, "key", None) != "id" or getattr(column, "table", None) not in {SESSIONS}:
        return None
    value = where.right.effective_value
    return value if isinstance(value, str) else None


def _record_on_commit(session: Session) -> None:
    session.flush()  # commit would flush after this hook: flush first, record last
    touched = session.info.pop(_TOUCHED, None)
    more_than_seats = session.info.pop(_MORE_THAN_SEATS, False)
    if touched:
        _record(session, touched, seats_only=not more_than_seats)


def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
    session.info.pop(_MORE_THAN_SEATS, None)


def _record(session: Session, touched: set[str], *, seats_only: bool) -> None:
    version = session.execute(update(SearchVersion).where(SearchVersion.id == 1)
                              .values(version=SearchVersion.version + 1)
                              .returning(SearchVersion.version)
                              .execution_options(synchronize_session=False)).scalar()
    if version is None:
        return  # no version row: nothing caches pages by it
    one = next(iter(touched)) if len(touched) == 1 else EVERYTHING
    session.execute(insert(SearchChange).values(
        version=version, session_id=None if one == EVERYTHING else one,
        seats_only=seats_only and one != EVERYTHING))
    if version % 100 == 0:
        session.execute(delete(SearchChange)
                        .where(SearchChange.version <= version - KEEP_CHANGES)
                        .execution_options(synchronize_session=False))


_VERSION_QUERY = f"SELECT version FROM {SearchVersion.__tablename__} WHERE id = 1"


def current_version(db: Database) -> int | None:
    """The current search version (``None`` if its row is missing): one primary-key read."""
    return db.read_scalar(_VERSION_QUERY)


@functools.cache
def _changes_query():
    version, change = SearchVersion.__table__.c, SearchChange.__table__.c
    s, c, p = SESSIONS.c, Course.__table__.c, Provider.__table__.c
    recent = and_(change.version > bindparam("seen"), change.version > version.version - CATCH_UP,
                  change.version <= version.version)
    joined = (SearchVersion.__table__.outerjoin(SearchChange.__table__, recent)
              .outerjoin(SESSIONS, s.id == change.session_id)
              .outerjoin(Course.__table__, c.id == s.course_id)
              .outerjoin(Provider.__table__, p.id == s.provider_id))
    return (select(version.version, change.version, change.session_id, change.seats_only,
                   s.status, p.status, s.provider_id, s.module_code, s.province_code,
                   s.city_key, c.language, s.start_date, s.price_per_participant, s.capacity,
                   s.seats_taken)
            .select_from(joined).where(version.id == 1).order_by(change.version))


def changes_since(db: Database, seen: int | None) -> tuple[int | None, list[Change]]:
    """The current search version and the changes after ``seen`` (none if ``seen`` is None).

    ``None`` as the version: the version row is missing and nothing can be cached.
    Changes come in version order; at most :data:`CATCH_UP` of the newest.
    """
    rows = db.quick.rows(_changes_query(), {"seen": 2**62 if seen is None else seen})
    if not rows:
        return None, []
    changes = [Change(row[1], row[2], SessionState(*row[4:]) if row[4] is not None else None,
                      bool(row[3]))
               for row in rows if row[1] is not None]
    return rows[0][0], changes
