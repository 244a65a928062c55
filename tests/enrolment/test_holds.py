"""The enrolment kernel: seats held, confirmed and released with their events; the waitlist."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from services.enrolment.config import DEFAULT_SIZE_BANDS, EnrolmentPolicy, parse_size_bands
from services.enrolment.models import Enrolment, Notification, OfferedSession, Sme, WaitlistEntry
from services.enrolment.service import holds, waitlist
from shared import clock as shared_clock
from shared.events.tables import outbox

POLICY = EnrolmentPolicy(size_bands=parse_size_bands(DEFAULT_SIZE_BANDS))


@pytest.fixture
def db(app):
    return app.extensions["score_db"]


@pytest.fixture
def world(db):
    """A published 10-seat session (enrolment open 20 more days) and four SMEs."""
    today = shared_clock.today()
    with db.transaction() as session:
        session.add(OfferedSession(
            id="s1", provider_id="p1", course_id="c1", module_code="M1", title_id="Kerja sama",
            title_en="Cooperation", start_date=today + dt.timedelta(days=30),
            end_date=today + dt.timedelta(days=31),
            enrolment_deadline=today + dt.timedelta(days=20), city="Bandung",
            province_code="32", capacity=10, price_per_participant=1_500_000,
            max_participants_per_enterprise=6, trainers=[], ilo_supervised=False,
            estimated_delivery_cost=40_000_000, classroom_days=2, consultancy_visits=2,
            status="published"))
        for n in range(1, 5):
            session.add(Sme(id=f"sme{n}", legal_name=f"PT {n}", nib=f"{n:013d}",
                            kbli_code="13111", kbli_version="2020", province_code="32",
                            city="Bandung", address="Jl. 1", employees_total=40,
                            employees_women=20, employees_men=20, size_class="medium",
                            contact_name="Ibu A", contact_email=f"owner{n}@sme.example",
                            contact_phone="0812", registered_by=f"u{n}"))


def team(size: int) -> list[dict]:
    return [{"full_name": f"P{i}", "gender": "female" if i % 2 else "male",
             "role": "manager" if i == 0 else "worker", "position": "staff"}
            for i in range(size)]


def counters(db) -> tuple[int, int]:
    with db.reading() as session:
        offered = session.get(OfferedSession, "s1")
        return offered.seats_held, offered.seats_confirmed


def events(db) -> list[str]:
    with db.reading() as session:
        return [t.rsplit(".", 2)[-2] for t in session.scalars(select(outbox.c.type)
                                                              .order_by(outbox.c.id))]


def open_for(db, sme_id: str, size: int) -> Enrolment | None:
    with db.transaction() as session:
        return holds.open_enrolment(session, session.get(OfferedSession, "s1"),
                                    session.get(Sme, sme_id), team(size), actor="u",
                                    policy=POLICY)


def test_a_team_that_fits_is_held_with_its_event_and_an_email(db, world):
    enrolment = open_for(db, "sme1", 4)
    assert enrolment.status == "held" and enrolment.hold_id == enrolment.id
    assert enrolment.amount_due == enrolment.sme_share == 6_000_000
    assert counters(db) == (4, 0)
    assert events(db) == ["held"]
    with db.reading() as session:
        assert session.scalar(select(Notification.template)) == "hold_confirmation"


def test_a_team_that_does_not_fit_changes_nothing(db, world):
    open_for(db, "sme1", 6)
    assert open_for(db, "sme2", 5) is None
    assert counters(db) == (6, 0)
    assert events(db) == ["held"]


def test_confirming_turns_held_seats_into_confirmed_ones(db, world):
    enrolment = open_for(db, "sme1", 3)
    with db.transaction() as session:
        holds.confirm(session, session.get(Enrolment, enrolment.id), "confirm", actor="u")
    assert counters(db) == (0, 3)
    assert events(db) == ["held", "confirmed"]


def test_released_seats_go_to_the_first_waiting_team_that_fits(db, world):
    first = open_for(db, "sme1", 4)
    open_for(db, "sme2", 6)
    with db.transaction() as session:
        offered = session.get(OfferedSession, "s1")
        big = waitlist.join(session, offered, session.get(Sme, "sme3"), team(6), actor="u")
        small = waitlist.join(session, offered, session.get(Sme, "sme4"), team(2), actor="u")
    with db.transaction() as session:
        holds.release(session, session.get(Enrolment, first.id), "cancel", actor="u",
                      reason="changed plans", policy=POLICY)
    with db.reading() as session:
        assert session.get(WaitlistEntry, big.id).status == "waiting"
        offered_entry = session.get(WaitlistEntry, small.id)
        assert offered_entry.status == "offered"
        promoted = session.get(Enrolment, offered_entry.enrolment_id)
        assert promoted.status == "held" and promoted.waitlist_entry_id == small.id
    assert counters(db) == (8, 0)
    assert events(db)[-3:] == ["cancelled", "held", "offered"]


def test_a_waiting_team_already_enrolled_again_is_withdrawn(db, world):
    open_for(db, "sme1", 6)
    second = open_for(db, "sme2", 4)
    with db.transaction() as session:
        entry = waitlist.join(session, session.get(OfferedSession, "s1"),
                              session.get(Sme, "sme1"), team(2), actor="u")
    with db.transaction() as session:
        holds.release(session, session.get(Enrolment, second.id), "expire", actor="reaper",
                      reason=None, policy=POLICY)
    with db.reading() as session:
        assert session.get(WaitlistEntry, entry.id).status == "withdrawn"


def test_waiting_teams_lapse_once_enrolment_has_closed(db, world, clock):
    first = open_for(db, "sme1", 6)
    open_for(db, "sme2", 4)
    with db.transaction() as session:
        entry = waitlist.join(session, session.get(OfferedSession, "s1"),
                              session.get(Sme, "sme3"), team(2), actor="u")
    clock.advance(days=40)
    with db.transaction() as session:
        holds.release(session, session.get(Enrolment, first.id), "cancel", actor="u",
                      reason=None, policy=POLICY)
    with db.reading() as session:
        assert session.get(WaitlistEntry, entry.id).status == "lapsed"


def test_a_team_too_big_for_the_freed_seats_keeps_waiting(db, world):
    first = open_for(db, "sme1", 2)
    open_for(db, "sme2", 6)
    with db.transaction() as session:
        entry = waitlist.join(session, session.get(OfferedSession, "s1"),
                              session.get(Sme, "sme3"), team(5), actor="u")
    with db.transaction() as session:
        holds.release(session, session.get(Enrolment, first.id), "expire", actor="reaper",
                      reason=None, policy=POLICY)
    with db.reading() as session:
        assert session.get(WaitlistEntry, entry.id).status == "waiting"
    assert counters(db) == (6, 0)


def test_a_late_payment_retakes_free_seats_under_a_new_hold(db, world):
    enrolment = open_for(db, "sme1", 3)
    with db.transaction() as session:
        holds.release(session, session.get(Enrolment, enrolment.id), "expire", actor="reaper",
                      reason=None, policy=POLICY)
    with db.transaction() as session:
        late = session.get(Enrolment, enrolment.id)
        assert holds.retake_and_confirm(session, late, actor="stripe")
        assert late.status == "confirmed" and late.hold_id == f"{late.id}/2"
    assert counters(db) == (0, 3)


def test_a_late_payment_without_free_seats_changes_nothing(db, world):
    enrolment = open_for(db, "sme1", 5)
    with db.transaction() as session:
        holds.release(session, session.get(Enrolment, enrolment.id), "expire", actor="reaper",
                      reason=None, policy=POLICY)
    open_for(db, "sme2", 6)
    with db.transaction() as session:
        late = session.get(Enrolment, enrolment.id)
        assert not holds.retake_and_confirm(session, late, actor="stripe")
        assert late.status == "expired" and late.hold_id == late.id
    assert counters(db) == (6, 0)
