"""Hot-path reads: a Core SELECT run straight on a DBAPI cursor, in one round trip.

A read through a ``Session`` on PostgreSQL costs four round trips (pool pre-ping,
``BEGIN``, the query, ``COMMIT``/``ROLLBACK``) and SQLAlchemy's per-execution
bookkeeping; for a page of search results that is most of the time spent.
:class:`DriverStatement` compiles a Core statement once for one dialect and keeps
SQLAlchemy's type conversions for its parameters and columns (none on PostgreSQL
with psycopg; dates and booleans on SQLite). :class:`QuickReads` runs it on
connections in autocommit mode (no ``BEGIN``, nothing to roll back) kept idle in a
deque and not pinged: a connection found broken is discarded and the statement
retried once on a fresh one, which is safe because it only reads. A single
statement sees one consistent snapshot on both databases.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Engine, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Select


class DriverStatement:
    """``statement`` compiled for ``dialect``: its SQL, parameter order and converters."""

    def __init__(self, statement: Select, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self._defaults = {key: bind.effective_value for key, bind in compiled.binds.items()}
        self._order = compiled.positiontup if dialect.positional else None
        self._binds = {key: processor for key, bind in compiled.binds.items()
                       if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect))}
        results: list[Callable[[Any], Any] | None] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns]
        self._results = results if any(results) else None

    def parameters(self, values: Mapping[str, Any]) -> Mapping[str, Any] | tuple:
        """The DBAPI parameters for ``values`` (the statement's literals filled in)."""
        params = {**self._defaults, **values}
        for key, processor in self._binds.items():
            params[key] = processor(params[key])
        return params if self._order is None else tuple(params[key] for key in self._order)

    def rows(self, raw: list[tuple]) -> list[tuple]:
        """DBAPI rows converted as SQLAlchemy would (returned as they are when nothing to do)."""
        if self._results is None:
            return raw
        processors = self._results
        return [tuple(value if p is None or value is None else p(value)
                      for p, value in zip(processors, row, strict=True)) for row in raw]


class QuickReads:
    """One-statement reads on autocommit connections kept idle here (one round trip each).

    ``engine`` should not pool (``NullPool``): its connections are kept in a plain
    deque instead, which costs a fraction of a pool checkout and checkin, and are
    never pinged; one that fails is closed. When the failure was a dropped
    connection, every idle one is discarded too (a restart or failover drops them
    all) and the statement is retried once on a new connection.
    """

    def __init__(self, engine: Engine, keep: int = 16) -> None:
        self.engine, self.keep = engine, keep
        self._idle: collections.deque[tuple[Any, Any]] = collections.deque()
        self._statements: dict[Select, DriverStatement] = {}

    def statement(self, statement: Select) -> DriverStatement:
        """``statement`` compiled for this database (once; pass the same object again)."""
        compiled = self._statements.get(statement)
        if compiled is None:
            compiled = self._statements[statement] = DriverStatement(statement,
                                                                     self.engine.dialect)
        return compiled

    def rows(self, statement: Select, values: Mapping[str, Any]) -> list[tuple]:
        """Every row of ``statement`` with ``values`` bound."""
        compiled = self.statement(statement)
        return compiled.rows(self.execute(compiled.sql, compiled.parameters(values)))

    def execute(self, sql: str, params: Mapping[str, Any] | tuple = ()) -> list[tuple]:
        """Every row of the driver-level ``sql``; retried once on a dropped connection."""
        dialect = self.engine.dialect
        for attempt in (1, 2):
            connection, cursor = self._checkout()
            try:
                cursor.execute(sql, params)
                rows = list(cursor.fetchall())
            except dialect.loaded_dbapi.Error as error:
                dropped = dialect.is_disconnect(error, connection.dbapi_connection, cursor)
                connection.invalidate()  # never reused: its state is unknown
                if dropped and attempt == 1:
                    self._discard_idle()  # a restart or failover dropped them all
                    continue
                raise exc.DBAPIError.instance(sql, params, error,
                                              dialect.loaded_dbapi.Error) from error
            except BaseException:
                connection.invalidate()
                raise
            self._checkin(connection, cursor)
            return rows
        raise AssertionError("unreachable")  # pragma: no cover

    def _checkout(self) -> tuple[Any, Any]:
        try:
            return self._idle.pop()
        except IndexError:
            connection = self.engine.raw_connection()
            return connection, connection.cursor()

    def _checkin(self, connection, cursor) -> None:
        if len(self._idle) < self.keep:
            self._idle.append((connection, cursor))
        else:
            connection.close()

    def _discard_idle(self) -> None:
        while True:
            try:
                connection, _cursor = self._idle.pop()
            except IndexError:
                return
            connection.invalidate()

    def dispose(self) -> None:
        """Close the idle connections."""
        while self._idle:
            self._idle.pop()[0].close()
        self.engine.dispose()
