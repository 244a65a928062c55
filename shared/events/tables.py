"""The infrastructure tables every service database carries.

Outbox, inbox and dead letters (the event backbone) and idempotency keys
(:mod:`shared.idempotency`). They live on their own ``MetaData`` so that one
definition serves every service; each service's Alembic environment targets
its own metadata plus this one.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)

from shared.db import UtcDateTime

event_metadata = MetaData()

# BigInteger autoincrement on PostgreSQL, INTEGER PRIMARY KEY (rowid) on SQLite.
_ID = BigInteger().with_variant(Integer(), "sqlite")

outbox = Table(
    "outbox",
    event_metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("type", String(120), nullable=False),
    Column("topic", String(120), nullable=False),
    Column("key", String(120), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False, server_default=func.now()),
    Column("sent_at", UtcDateTime()),
)
# The relay only ever looks for unsent rows in id order.
Index(
    "ix_outbox_unsent",
    outbox.c.id,
    postgresql_where=outbox.c.sent_at.is_(None),
    sqlite_where=outbox.c.sent_at.is_(None),
)

inbox = Table(
    "inbox",
    event_metadata,
    Column("event_id", String(36), primary_key=True),
    Column("type", String(120), nullable=False),
    Column("topic", String(120), nullable=False),
    Column("applied_at", UtcDateTime(), nullable=False, server_default=func.now()),
)

dead_letters = Table(
    "dead_letters",
    event_metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("event_id", String(64)),
    Column("topic", String(120), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("error", Text, nullable=False),
    Column("dead_lettered_at", UtcDateTime(), nullable=False, server_default=func.now()),
)

idempotency_keys = Table(
    "idempotency_keys",
    event_metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("scope", String(128), nullable=False),
    Column("key", String(255), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("state", String(10), nullable=False),
    Column("response_status", Integer),
    Column("response_headers", Text),
    Column("response_body", LargeBinary),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"),
    Index("ix_idempotency_keys_created_at", "created_at"),
)
