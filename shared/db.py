"""SQLAlchemy 2 engine and sessions for SQLite (embedded) and PostgreSQL (psycopg 3).

SQLite write transactions start with ``BEGIN IMMEDIATE`` so two writers never
deadlock on a lock upgrade and "check then write" use cases are serialised –
the SQLite stand-in for PostgreSQL's row locks. Read-only sessions use a plain
deferred ``BEGIN`` so readers do not queue behind writers (WAL).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, TypeDecorator, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from shared.doorbell import Doorbell
from shared.driver import QuickReads

_READONLY = "score_readonly"
# A write transaction that sets this in ``session.info`` rings ``Database.commits``
# once it has committed (the outbox does, to wake the relay of this process).
RING_ON_COMMIT = "score_ring_on_commit"


class UtcDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (UTC), on every backend.

    PostgreSQL keeps ``timestamptz``; SQLite has no offset and hands back naive values,
    which would reach API responses and events without one. Values are stored as UTC
    wall time on SQLite – the format ``DateTime(timezone=True)`` already wrote there –
    so existing databases need no migration. Naive datetimes are refused: their zone
    is unknown.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        """To UTC (naive UTC on SQLite)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        """Aware, in UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def make_engine(url: str, **kwargs) -> Engine:
    """An engine with the project's pragmas (SQLite) or pool settings (PostgreSQL)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_pre_ping", True)
        kwargs.setdefault("pool_size", 5)
        kwargs.setdefault("max_overflow", 10)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Take transaction control away from the driver so BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        readonly = conn.get_execution_options().get(_READONLY)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


class Database:
    """One service's database: engine, session factory and transaction helpers."""

    def __init__(self, url: str, **engine_kwargs) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            self.engine.execution_options(**{_READONLY: True}), expire_on_commit=False
        )
        self.commits = Doorbell()
        # Hot-path reads keep their own idle connections (see shared.driver).
        autocommit = {} if url.startswith("sqlite") else {"isolation_level": "AUTOCOMMIT"}
        self.quick = QuickReads(make_engine(url, poolclass=NullPool, **autocommit))

    def listen_sessions(self, identifier: str, listener: Callable) -> None:
        """Register a ``Session`` event ``listener`` for this database's sessions only.

        Services bind their session hooks here (through ``ServiceRuntime.on_database``),
        never on SQLAlchemy's global ``Session``, so one service's hooks never run in
        another's sessions.
        """
        for factory in (self._sessions, self._read_sessions):
            event.listen(factory, identifier, listener)

    @property
    def write_sessions(self) -> sessionmaker:
        """The factory behind :meth:`transaction` (an event target for commit hooks)."""
        return self._sessions

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one write transaction: commit on success, roll back on error.

        After a commit of a transaction that asked for it (:data:`RING_ON_COMMIT`),
        :attr:`commits` rings: threads of this process waiting for such writes wake.
        """
        with self._sessions.begin() as session:
            yield session
        if session.info.pop(RING_ON_COMMIT, False):
            self.commits.ring()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for queries only (deferred ``BEGIN`` on SQLite, so it never blocks writers).

        Loaded objects stay usable after the block: nothing is expired on exit.
        """
        with self._read_sessions() as session, session.begin():
            yield session

    def read_scalar(self, sql: str) -> Any:
        """The first column of the first row of the constant, read-only ``sql`` (or ``None``).

        One round trip on :attr:`quick` (autocommit, no pre-ping): about 10x cheaper
        than ``reading()``; for a trivial query on a hot path. ``sql`` takes no parameters.
        """
        rows = self.quick.execute(sql)
        return rows[0][0] if rows else None

    def ping(self) -> None:
        """Raise if the database cannot be reached."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def migrate(self, script_location: str | Path) -> None:
        """Bring the schema to the newest Alembic revision."""
        from shared.migrations import upgrade

        upgrade(self.engine, script_location)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.quick.dispose()
        self.engine.dispose()
