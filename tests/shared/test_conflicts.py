"""``retry_conflicts``: a use case aborted to break a deadlock runs again and succeeds."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shared import conflicts
from shared.conflicts import retry_conflicts
from shared.db import Database


class _Orig(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _failing(sqlstate: str, times: int):
    calls = []

    @retry_conflicts
    def use_case() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise DBAPIError("UPDATE ...", {}, _Orig(sqlstate))
        return "done"

    return use_case, calls


def test_a_deadlock_victim_runs_again_and_succeeds():
    use_case, calls = _failing("40P01", times=2)
    assert use_case() == "done" and len(calls) == 3


def test_other_database_errors_are_not_retried():
    use_case, calls = _failing("23505", times=1)  # unique_violation: the caller's 409
    with pytest.raises(DBAPIError):
        use_case()
    assert len(calls) == 1


def test_a_conflict_that_keeps_coming_is_raised_after_the_last_attempt():
    use_case, calls = _failing("40001", times=99)
    with pytest.raises(DBAPIError):
        use_case()
    assert len(calls) == conflicts.ATTEMPTS


@pytest.mark.integration
def test_two_transactions_locking_rows_in_opposite_orders_both_complete(pg_database):
    db = Database(pg_database)
    with db.transaction() as session:
        session.execute(text("CREATE TABLE rows_ (id int PRIMARY KEY, n int)"))
        session.execute(text("INSERT INTO rows_ VALUES (1, 0), (2, 0)"))
    both_hold_one = threading.Barrier(2)
    attempts = {1: 0, 2: 0}

    @retry_conflicts
    def bump(first: int, second: int) -> None:
        attempts[first] += 1
        with db.transaction() as session:
            session.execute(text("UPDATE rows_ SET n = n + 1 WHERE id = :i"), {"i": first})
            if attempts[first] == 1:
                both_hold_one.wait(timeout=10)  # the first time only: meet in a deadlock
            session.execute(text("UPDATE rows_ SET n = n + 1 WHERE id = :i"), {"i": second})

    try:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda pair: bump(*pair), [(1, 2), (2, 1)]))
        with db.reading() as session:
            assert session.execute(text("SELECT sum(n) FROM rows_")).scalar() == 4
        assert sorted(attempts.values()) == [1, 2], "PostgreSQL aborted one side, which ran again"
    finally:
        db.dispose()
