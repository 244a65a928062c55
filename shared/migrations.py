"""Alembic helpers: every service's ``migrations/env.py`` is three lines calling ``run_env``.

:func:`upgrade` is safe for many replicas starting at once and for rollbacks:
on PostgreSQL it holds an advisory lock so concurrent starts take turns (the
later ones find the schema at head), and when the database is at a revision
this code does not know (a newer release migrated it; this is a rollback) it
leaves the schema alone – migrations are expand/contract, so the previous
release runs on the next release's schema.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, engine_from_config, pool, text

log = logging.getLogger(__name__)


def alembic_config(script_location: str | Path, url: str | None = None) -> Config:
    """An Alembic config for one service's migration folder."""
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@contextmanager
def _migration_lock(connection: Connection, name: str) -> Iterator[None]:
    if connection.dialect.name != "postgresql":
        yield  # SQLite: BEGIN IMMEDIATE inside the upgrade already serialises writers
        return
    key = int.from_bytes(hashlib.sha256(f"migrate-{name}".encode()).digest()[:8], "big",
                         signed=True)
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
    connection.commit()
    try:
        yield
    finally:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        connection.commit()


def upgrade(engine: Engine, script_location: str | Path, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision`` (see the module docstring)."""
    cfg = alembic_config(script_location)
    known = {r.revision for r in ScriptDirectory.from_config(cfg).walk_revisions()}
    with (engine.connect() as connection,
          _migration_lock(connection, str(script_location)),
          connection.begin()):
        current = set(MigrationContext.configure(connection).get_current_heads())
        unknown = current - known
        if unknown:
            log.warning("database is at a revision this code does not know; not migrating",
                        extra={"revisions": sorted(unknown)})
            return
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def run_env(target_metadata: MetaData | list[MetaData]) -> None:
    """Body of a service's Alembic ``env.py`` (online mode; offline renders SQL)."""
    cfg = context.config
    if context.is_offline_mode():
        context.configure(
            url=cfg.get_main_option("sqlalchemy.url"),
            target_metadata=target_metadata,
            literal_binds=True,
            render_as_batch=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = cfg.attributes.get("connection")
    if connection is None:
        engine = engine_from_config(
            cfg.get_section(cfg.config_ini_section, {}),
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
        with engine.begin() as connection:
            _run(connection, target_metadata)
    else:
        _run(connection, target_metadata)


def _run(connection, target_metadata: MetaData | list[MetaData]) -> None:
    # Batch mode lets ALTER TABLE work on SQLite too.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
