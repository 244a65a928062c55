"""Alembic helpers: every service's ``migrations/env.py`` is three lines calling ``run_env``;
the tables every service carries (``shared/events/tables.py``) are created by the helpers
at the end of this module, never copied into a service's migration.

:func:`upgrade` is safe for many replicas starting at once and for rollbacks:
on PostgreSQL it holds an advisory lock so concurrent starts take turns (the
later ones find the schema at head), and when the database is at a revision
this code does not know (a newer release migrated it; this is a rollback) it
leaves the schema alone – migrations are expand/contract, so the previous
release runs on the next release's schema. On SQLite, foreign keys are not
enforced while migrations run (SQLite's own procedure for schema changes: batch
mode rebuilds a table by dropping it, which a referenced table cannot survive
otherwise) and are checked before the upgrade commits.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context, op
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


@contextmanager
def _foreign_keys_deferred(connection: Connection) -> Iterator[None]:
    """SQLite: no enforcement while the schema changes (only possible outside a transaction)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    # On the driver connection: through SQLAlchemy the PRAGMA would open a transaction.
    cursor = connection.connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")


def upgrade(engine: Engine, script_location: str | Path, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision`` (see the module docstring)."""
    cfg = alembic_config(script_location)
    known = {r.revision for r in ScriptDirectory.from_config(cfg).walk_revisions()}
    with (engine.connect() as connection,
          _migration_lock(connection, str(script_location)),
          _foreign_keys_deferred(connection),
          connection.begin()):
        current = set(MigrationContext.configure(connection).get_current_heads())
        unknown = current - known
        if unknown:
            log.warning("database is at a revision this code does not know; not migrating",
                        extra={"revisions": sorted(unknown)})
            return
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)
        _check_foreign_keys(connection)


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


def _render_item(kind: str, obj, autogen_context):
    """Migrations stay free of project imports: ``UtcDateTime`` is rendered as what it
    stores, ``sa.DateTime(timezone=True)`` (the conversion is the model's business)."""
    from shared.db import UtcDateTime

    if kind == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection, target_metadata: MetaData | list[MetaData]) -> None:
    # Batch mode lets ALTER TABLE work on SQLite too.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


# ---------------------------------------------------------------- shared tables
#
# Each helper is frozen: what it creates never changes, so every database built
# from it is the same. A change to shared/events/tables.py gets a new helper,
# called from a new migration in every service and from the first migration
# that `score new-service` generates (shared/scaffold/templates); the shape
# test finds a service whose migrations lack it.

def create_event_tables() -> None:
    """Create the outbox, inbox and dead-letter tables (a service's first migration)."""
    # BigInteger on PostgreSQL, INTEGER PRIMARY KEY (rowid) on SQLite.
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    now = sa.text("(CURRENT_TIMESTAMP)")
    op.create_table(
        "dead_letters",
        sa.Column("id", big_id, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("topic", sa.String(length=120), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("dead_lettered_at", sa.DateTime(timezone=True), server_default=now,
                  nullable=False),
        sa.PrimaryKeyConstraint("id"))
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=120), nullable=False),
        sa.Column("topic", sa.String(length=120), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), server_default=now, nullable=False),
        sa.PrimaryKeyConstraint("event_id"))
    op.create_table(
        "outbox",
        sa.Column("id", big_id, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=120), nullable=False),
        sa.Column("topic", sa.String(length=120), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=now, nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_unsent", ["id"], unique=False,
                              postgresql_where=sa.text("sent_at IS NULL"),
                              sqlite_where=sa.text("sent_at IS NULL"))


def drop_event_tables() -> None:
    """Undo :func:`create_event_tables` (a first migration's downgrade)."""
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_unsent", postgresql_where=sa.text("sent_at IS NULL"),
                            sqlite_where=sa.text("sent_at IS NULL"))
    op.drop_table("outbox")
    op.drop_table("inbox")
    op.drop_table("dead_letters")


def create_idempotency_keys() -> None:
    """Create the ``idempotency_keys`` table of ``shared.idempotency``."""
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=128), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_headers", sa.Text(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"))
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index("ix_idempotency_keys_created_at", ["created_at"], unique=False)


def drop_idempotency_keys() -> None:
    """Undo :func:`create_idempotency_keys`."""
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_idempotency_keys_created_at")
    op.drop_table("idempotency_keys")
