"""Issuing a statement on real PostgreSQL: concurrent issues of one month create one.

Threads of one process with their own connections, released together by a
barrier: the advisory lock on the provider and month (``shared.locks``) makes the
check-then-insert hold, and the unique constraint stays the backstop.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from services import enrolment
from services.enrolment.ledger import Month
from services.enrolment.models import Statement
from services.enrolment.service import statements
from shared.auth import Principal
from shared.db import Database
from tests.enrolment import payments_world as w
from tests.enrolment import statements_world as sw

pytestmark = pytest.mark.integration
THREADS = 6


@pytest.fixture
def db(pg_database):
    database = Database(pg_database)
    database.migrate(enrolment.runtime().migrations)
    yield database
    database.dispose()


def test_concurrent_issues_of_one_month_create_one_statement(db):
    sw.seed(db)
    admin, start = Principal("admin-1", "platform_admin"), threading.Barrier(THREADS)
    results, errors = [], []

    def issue() -> None:
        start.wait(timeout=30)
        try:
            results.append(statements.issue_statement(
                db, admin, sw.PROVIDER, Month.parse(sw.MONTH), w.POLICY.platform_fee_percent))
        except Exception as exc:  # every failure is reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=issue) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len({statement.id for statement, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Statement)) == 1
        issued = session.scalar(select(Statement))
        assert issued.net_payable == sw.MARCH["net_payable"] and len(issued.lines) == 5
