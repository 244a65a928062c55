"""``serialise_on``: transactions holding the same name run one after the other."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from shared.db import Database
from shared.locks import serialise_on


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def db(request, tmp_path):
    url = (f"sqlite:///{tmp_path}/locks.db" if request.param == "sqlite"
           else request.getfixturevalue("pg_database"))
    database = Database(url)
    yield database
    database.dispose()


def hold(db: Database, names: list[str], start: threading.Barrier) -> tuple[float, float]:
    """Hold ``names`` for 0.3 s in one write transaction; when it held them."""
    start.wait()
    with db.transaction() as session:
        session.execute(text("SELECT 1"))  # SQLite takes its write lock on the first statement
        serialise_on(session, *names)
        began = time.monotonic()
        time.sleep(0.3)
        return began, time.monotonic()


def run_together(db: Database, *name_lists: list[str]) -> list[tuple[float, float]]:
    start = threading.Barrier(len(name_lists))
    with ThreadPoolExecutor(len(name_lists)) as pool:
        return list(pool.map(lambda names: hold(db, names, start), name_lists))


def overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def test_transactions_holding_one_name_never_overlap(db):
    first, second = run_together(db, ["login:siti"], ["ip:10.0.0.1", "login:siti"])
    assert not overlap(first, second)


@pytest.mark.integration
def test_transactions_holding_other_names_run_at_once_on_postgresql(pg_database):
    # (SQLite serialises every write transaction, whatever the names.)
    db = Database(pg_database)
    try:
        first, second = run_together(db, ["login:siti"], ["login:dewi"])
    finally:
        db.dispose()
    assert overlap(first, second)


def test_names_locked_in_opposite_orders_do_not_deadlock(db):
    intervals = run_together(db, ["a", "b"], ["b", "a"], ["a", "b"])
    assert len(intervals) == 3
