"""Relay leadership on PostgreSQL: one leader; a lost lock connection hands over cleanly."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from shared.db import Database
from shared.events.leader import Leadership

pytestmark = pytest.mark.integration


def test_a_leader_whose_lock_connection_dies_steps_down_within_its_recheck_interval(
        pg_database):
    db = Database(pg_database)
    leader, standby = Leadership(db.engine, "relay-x"), Leadership(db.engine, "relay-x")
    assert leader.acquire() and not standby.acquire()
    assert leader._conn is not None
    pid = leader._conn.execute(text("SELECT pg_backend_pid()")).scalar()
    leader._conn.commit()
    with db.engine.begin() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    assert standby.acquire(), "the lock died with its connection"
    noticed_by = time.monotonic() + leader.recheck_s + 0.5
    while leader.acquire():
        assert time.monotonic() < noticed_by, "the old leader must notice and stop publishing"
        time.sleep(0.05)
    standby.release()
    leader.release()
    db.dispose()
