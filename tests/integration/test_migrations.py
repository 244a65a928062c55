"""Migrations on PostgreSQL: many replicas at once, and a rollback onto a newer schema."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import inspect, text

from shared.db import Database
from tests.support import pingpong

pytestmark = pytest.mark.integration


def test_replicas_migrating_at_once_take_turns_and_all_succeed(pg_database):
    errors: list[BaseException] = []

    def migrate() -> None:
        db = Database(pg_database)
        try:
            db.migrate(pingpong.MIGRATIONS)
        except BaseException as exc:
            errors.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=migrate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    db = Database(pg_database)
    tables = set(inspect(db.engine).get_table_names())
    assert {"outbox", "inbox", "pings", "alembic_version"} <= tables
    db.dispose()


def test_a_database_ahead_of_the_code_is_left_alone(pg_database, caplog):
    db = Database(pg_database)
    db.migrate(pingpong.MIGRATIONS)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    db.migrate(pingpong.MIGRATIONS)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            "from_the_future")
    assert "does not know" in caplog.text
    db.dispose()
