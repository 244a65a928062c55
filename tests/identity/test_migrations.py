"""Identity's migrations keep an existing database's data and rules."""

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from services import identity
from shared.db import Database
from shared.migrations import alembic_config

FIRST = "73118af45f04"
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC).isoformat(" ")


@pytest.fixture
def first_release_db(tmp_path):
    """A database migrated by the first release, holding a user, a membership, a token."""
    db = Database(f"sqlite:///{tmp_path}/identity.db")
    cfg = alembic_config(identity.MIGRATIONS)
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, FIRST)
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users VALUES ('u1', 'siti@example.id', 'Siti', 'hash', NULL, :now)"),
            {"now": NOW})
        connection.execute(text(
            "INSERT INTO memberships VALUES ('m1', 'u1', 'sme', 'sme-1', 'sme_user', 'admin',"
            " :now, 'admin', :now)"), {"now": NOW})
        connection.execute(text(
            "INSERT INTO refresh_tokens VALUES ('r1', 'h1', 'f1', 'u1', 'm1', :now, :now, NULL,"
            " NULL)"), {"now": NOW})
    yield db
    db.dispose()


def test_naming_the_constraints_keeps_every_row_and_every_rule(first_release_db):
    db = first_release_db
    db.migrate(identity.MIGRATIONS)

    with db.engine.connect() as connection:
        rows = [connection.scalar(text(f"SELECT count(*) FROM {table}"))
                for table in ("users", "memberships", "refresh_tokens")]
    assert rows == [1, 1, 1]
    with db.engine.begin() as connection:  # a revoked membership may be granted again
        connection.execute(text(
            "INSERT INTO memberships VALUES ('m2', 'u1', 'sme', 'sme-1', 'sme_user', 'admin',"
            " :now, NULL, NULL)"), {"now": NOW})
    for duplicate in (
            "INSERT INTO memberships VALUES ('m3', 'u1', 'sme', 'sme-1', 'sme_user', 'a', :now,"
            " NULL, NULL)",  # two active memberships of one organisation
            "INSERT INTO memberships VALUES ('m4', 'nobody', 'sme', 'sme-2', 'sme_user', 'a',"
            " :now, NULL, NULL)",  # a membership of no user: foreign keys are on again
            "INSERT INTO users VALUES ('u2', 'siti@example.id', 'S', 'h', NULL, :now)"):
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text(duplicate), {"now": NOW})
