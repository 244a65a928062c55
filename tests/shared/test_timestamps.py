"""Timestamps keep their UTC offset through the database, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, insert, select
from sqlalchemy.exc import StatementError

from shared.db import Database, UtcDateTime
from shared.events.tables import event_metadata, outbox

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)]


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    """A database on each backend, holding a table with one UTC timestamp column."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/timestamps.db"
    else:
        url = request.getfixturevalue("pg_database")
    database = Database(url)
    metadata = MetaData()
    Table("stamps", metadata, Column("id", Integer, primary_key=True),
          Column("at", UtcDateTime()))
    metadata.create_all(database.engine)
    event_metadata.create_all(database.engine)
    database.stamps = metadata.tables["stamps"]
    yield database
    database.dispose()


def _write_and_read(db: Database, value: dt.datetime | None) -> dt.datetime | None:
    with db.transaction() as session:
        session.execute(insert(db.stamps).values(id=1, at=value))
    with db.reading() as session:
        return session.scalar(select(db.stamps.c.at))


def test_a_timestamp_reads_back_as_the_same_instant_in_utc(db):
    written = dt.datetime(2026, 11, 29, 17, 36, 54, 894167, tzinfo=WIB)

    read = _write_and_read(db, written)

    assert read == written
    assert read.utcoffset() == dt.timedelta(0)
    assert read.isoformat() == "2026-11-29T10:36:54.894167+00:00"


def test_a_missing_timestamp_stays_missing(db):
    assert _write_and_read(db, None) is None


def test_a_naive_timestamp_is_refused_because_its_zone_is_unknown(db):
    with pytest.raises(StatementError, match="naive datetime"):
        _write_and_read(db, dt.datetime(2026, 11, 29, 17, 36))


def test_a_timestamp_the_database_fills_in_reads_back_with_its_offset(db):
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with db.transaction() as session:
        session.execute(insert(outbox).values(event_id="e-1", type="t", topic="score.t",
                                              key="k", payload=b"{}"))
    with db.reading() as session:
        created = session.scalar(select(outbox.c.created_at))

    assert created.utcoffset() == dt.timedelta(0)
    assert before - dt.timedelta(seconds=5) <= created <= before + dt.timedelta(seconds=5)


def test_sqlite_rows_written_before_the_utc_type_read_back_unchanged_with_an_offset(tmp_path):
    # Databases created before UtcDateTime stored aware values through DateTime(timezone=True):
    # the same text, so they need no migration.
    db = Database(f"sqlite:///{tmp_path}/old.db")
    old, new = MetaData(), MetaData()
    old_table = Table("stamps", old, Column("id", Integer, primary_key=True),
                      Column("at", DateTime(timezone=True)))
    new_table = Table("stamps", new, Column("id", Integer, primary_key=True),
                      Column("at", UtcDateTime()))
    old.create_all(db.engine)
    written = dt.datetime(2026, 11, 29, 17, 36, 54, 894167, tzinfo=dt.UTC)
    with db.transaction() as session:
        session.execute(insert(old_table).values(id=1, at=written))
        session.execute(insert(new_table).values(id=2, at=written))
    with db.reading() as session:
        raw = session.connection().exec_driver_sql("SELECT at FROM stamps ORDER BY id").all()
        read = session.scalar(select(new_table.c.at).where(new_table.c.id == 1))
    db.dispose()

    assert raw[0] == raw[1] == ("2026-11-29 17:36:54.894167",)
    assert read == written and read.tzinfo is dt.UTC
