"""Hot-path reads: Core statements straight on the driver, converted as SQLAlchemy would."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    exc,
    select,
)

from shared.db import Database

metadata = MetaData()
events = Table("events", metadata, Column("id", Integer, primary_key=True),
               Column("name", String(20)), Column("day", Date), Column("public", Boolean))


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/driver.db")
    metadata.create_all(database.engine)
    with database.engine.begin() as connection:
        connection.execute(events.insert(), [
            {"id": 1, "name": "kickoff", "day": dt.date(2027, 3, 1), "public": True},
            {"id": 2, "name": "audit", "day": dt.date(2027, 3, 9), "public": False},
            {"id": 3, "name": "review", "day": dt.date(2027, 4, 2), "public": True}])
    yield database
    database.dispose()


def test_rows_and_parameters_are_converted_as_sqlalchemy_would(db):
    query = (select(events.c.name, events.c.day, events.c.public)
             .where(events.c.day >= bindparam("since", type_=Date),
                    events.c.name != bindparam("skip"), events.c.day <= bindparam("until",
                                                                                 type_=Date))
             .order_by(events.c.id))
    rows = db.quick.rows(query, {"since": dt.date(2027, 3, 2), "until": dt.date(2027, 12, 31),
                                 "skip": "none"})
    assert rows == [("audit", dt.date(2027, 3, 9), False), ("review", dt.date(2027, 4, 2), True)]
    with db.engine.connect() as connection:  # the same as through SQLAlchemy itself
        assert rows == [tuple(row) for row in connection.execute(query, {
            "since": dt.date(2027, 3, 2), "until": dt.date(2027, 12, 31), "skip": "none"})]


def test_literal_values_in_a_statement_are_bound_for_it(db):
    query = select(events.c.id).where(events.c.public.is_(True), events.c.name != "audit")
    assert db.quick.rows(query, {}) == [(1,), (3,)]


def test_connections_are_reused_and_at_most_keep_stay_idle(db):
    quick = db.quick
    quick.keep = 1
    first = quick._checkout()
    second = quick._checkout()
    quick._checkin(*first)
    quick._checkin(*second)  # one too many: closed
    assert quick.execute("SELECT count(*) FROM events") == [(3,)]
    assert list(quick._idle) == [first]


def test_a_failed_statement_raises_sqlalchemy_errors_and_its_connection_is_dropped(db):
    idle_before = len(db.quick._idle)
    with pytest.raises(exc.OperationalError):
        db.quick.execute("SELECT nothing FROM nowhere")
    assert len(db.quick._idle) == idle_before  # the failed one was not put back
    assert db.read_scalar("SELECT max(id) FROM events") == 3
