"""Checkpoints: "as of N" from the nearest stored state equals a replay from the start."""

from __future__ import annotations

from sqlalchemy import select

from services.audit.indicators.checkpoints import advance, fold_until, state_as_of
from services.audit.indicators.projection import empty
from services.audit.models import Entry, IndicatorCheckpoint
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


def test_the_kept_latest_state_grows_with_the_log_and_never_outlives_its_entries(audit_db):
    logged(audit_db, provider("p"), session("s1", "p"), paid("s1", 100))
    with audit_db.reading() as session_:
        first = state_as_of(session_, None)
        assert state_as_of(session_, None) is first  # asked again: the kept state

    logged(audit_db, paid("s1", 50))
    with audit_db.reading() as session_:
        grown = state_as_of(session_, None)
        # Extended from a copy: a request still reading the first state is undisturbed.
        assert grown is not first and first["sessions"]["s1"]["sme_paid"] == 100
        assert grown == fold_until(session_, empty(), 4)
        assert grown["sessions"]["s1"]["sme_paid"] == 150
        # An older "as of" is folded afresh and leaves the newest kept.
        assert state_as_of(session_, 1)["next"] == 2
        assert state_as_of(session_, None) is grown


def test_a_rebuilt_log_at_the_same_address_is_never_answered_from_the_kept_state(audit_db):
    logged(audit_db, provider("p"), session("s1", "p"), paid("s1", 100))
    with audit_db.reading() as session_:
        state_as_of(session_, None)
    with audit_db.transaction() as session_:  # the same number of entries, other events
        session_.execute(Entry.__table__.delete())
    logged(audit_db, provider("q"), session("s2", "q"), paid("s2", 7))

    with audit_db.reading() as session_:
        state = state_as_of(session_, None)

    assert "s1" not in state["sessions"] and state["sessions"]["s2"]["sme_paid"] == 7
