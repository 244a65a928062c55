"""Checkpoints: "as of N" from the nearest stored state equals a replay from the start."""

from __future__ import annotations

from sqlalchemy import select

from services.audit.indicators.checkpoints import advance, fold_until, state_as_of
from services.audit.indicators.projection import empty
from services.audit.models import IndicatorCheckpoint
from tests.audit.phase3 import case_study, completed, logged, paid, provider, session


def test_as_of_any_entry_equals_a_full_replay_and_checkpoints_follow_the_log(audit_db):
    logged(audit_db, provider("p"), session("s1", "p"), paid("s1", 100),
           completed("a", "s1", "p"), case_study(), case_study("33"), paid("s1", 50))
    assert [advance(audit_db, 3) for _ in range(4)] == [1, 1, 0, 0]
    with audit_db.reading() as session_:
        assert list(session_.scalars(select(IndicatorCheckpoint.next))) == [3, 6]
        for as_of in range(7):
            replayed = fold_until(session_, empty(), as_of + 1)
            assert state_as_of(session_, as_of) == replayed
        assert state_as_of(session_, 99)["next"] == 7  # beyond the log: its last entry
        assert state_as_of(session_, None)["sessions"]["s1"]["sme_paid"] == 150
