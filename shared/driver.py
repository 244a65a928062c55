"""Hot-path reads: a Core SELECT run straight on a DBAPI cursor, in one round trip.

A read through a ``Session`` on PostgreSQL costs four round trips (pool pre-ping,
``BEGIN``, the query, ``COMMIT``/``ROLLBACK``) and SQLAlchemy's per-execution
bookkeeping; for a page of search results that is most of the time spent.
:class:`DriverStatement` compiles a Core statement once for one dialect and keeps
SQLAlchemy's type conversions for its parameters and columns (none on PostgreSQL
with psycopg; dates and booleans on SQLite). :class:`QuickReads` runs it on
pooled connections in autocommit mode (no ``BEGIN``, nothing to roll back) that
are not pinged on checkout: a connection found broken is discarded and the
statement retried once on a fresh one, which is safe because it only reads.
A single statement sees one consistent snapshot on both databases.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Engine, create_engine, exc
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
    """One-statement reads on unpinged autocommit connections (one round trip each)."""

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name == "sqlite":
            # Our SQLite connections already run statements outside BEGIN unless asked.
            self.engine = engine
        else:
            self.engine = create_engine(engine.url, isolation_level="AUTOCOMMIT",
                                        pool_pre_ping=False, pool_size=5, max_overflow=10)
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
        for attempt in (1, 2):
            connection = self.engine.raw_connection()
            try:
                cursor = connection.cursor()
                try:
                    cursor.execute(sql, params)
                    return list(cursor.fetchall())
                finally:
                    cursor.close()
            except self.engine.dialect.loaded_dbapi.Error as error:
                if attempt == 1 and self.engine.dialect.is_disconnect(
                        error, connection.dbapi_connection, None):
                    connection.invalidate()
                    continue
                raise exc.DBAPIError.instance(sql, params, error,
                                              self.engine.dialect.loaded_dbapi.Error) from error
            finally:
                connection.close()
        raise AssertionError("unreachable")  # pragma: no cover

    def dispose(self) -> None:
        """Close this reader's pooled connections."""
        self.engine.dispose()
