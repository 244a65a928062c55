"""The sessions read model from catalog's session events, and what their changes set off."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.enrolment.models import Enrolment, OfferedSession, WaitlistEntry
from shared.events.tables import outbox
from tests.enrolment.builders import register_sme, session_payload, team


@pytest.fixture
def smes(db, policy, auth):
    """Three SMEs' user headers."""
    out = []
    for name in ("sari", "budi", "wati"):
        sme_id = register_sme(db, policy, subject=name)
        out.append(auth("sme_user", sme_id, "sme", subject=name))
    return out


def offered(db, session_id) -> OfferedSession:
    with db.reading() as session:
        return session.get(OfferedSession, session_id)


def enrol(client, headers, session_id, size, **body):
    return client.post(f"/sessions/{session_id}/enrolments",
                       json={"participants": team(size), **body}, headers=headers)


def types(db) -> list[str]:
    with db.reading() as session:
        return [t.split(".", 2)[2].rsplit(".", 1)[0]
                for t in session.scalars(select(outbox.c.type).order_by(outbox.c.id))]


def test_a_published_session_is_kept_with_everything_enrolment_needs(catalog, db):
    ts = catalog.session(capacity=16, ilo_supervised=True, classroom_days=3,
                         consultancy_visits=4)
    row = offered(db, ts["session_id"])
    assert (row.status, row.capacity, row.price_per_participant) == ("published", 16, 2_500_000)
    assert (row.classroom_days, row.consultancy_visits, row.ilo_supervised) == (3, 4, True)
    assert row.trainer_ids() == {"trainer-1"}
    assert (row.seats_held, row.seats_confirmed) == (0, 0)


def test_older_catalog_events_without_the_course_days_get_the_defaults(catalog, db):
    payload = session_payload()
    del payload["classroom_days"], payload["consultancy_visits"]
    assert catalog.send("published", payload) == "applied"
    row = offered(db, payload["session_id"])
    assert (row.classroom_days, row.consultancy_visits) == (2, 0)


def test_an_update_changes_the_session_but_never_the_seat_counters(catalog, client, smes, db):
    ts = catalog.session()
    enrol(client, smes[0], ts["session_id"], 4)
    catalog.send("updated", {**ts, "city": "Cimahi", "capacity": 24})
    row = offered(db, ts["session_id"])
    assert (row.city, row.capacity, row.seats_held) == ("Cimahi", 24, 4)


def test_the_same_event_delivered_twice_is_applied_once(catalog):
    value = catalog.envelope("published", session_payload())
    assert catalog.deliver(value, value) == ["applied", "duplicate"]


def test_a_capacity_increase_offers_the_new_seats_to_the_waitlist(catalog, client, smes, db):
    ts = catalog.session(capacity=6)
    enrol(client, smes[0], ts["session_id"], 6)
    waiting = enrol(client, smes[1], ts["session_id"], 3, join_waitlist_if_full=True).json
    catalog.send("updated", {**ts, "capacity": 9})
    with db.reading() as session:
        entry = session.get(WaitlistEntry, int(waiting["id"]))
        assert entry.status == "offered"
        promoted = session.get(Enrolment, entry.enrolment_id)
        assert (promoted.status, promoted.participants_count) == ("held", 3)
    assert offered(db, ts["session_id"]).seats_held == 9
    assert types(db)[-2:] == ["enrolment.held", "waitlist.offered"]


def test_a_capacity_cut_below_the_seats_taken_keeps_them_and_refuses_new_holds(
        catalog, client, smes, db):
    ts = catalog.session(capacity=10)
    enrol(client, smes[0], ts["session_id"], 6)
    catalog.send("updated", {**ts, "capacity": 4})
    row = offered(db, ts["session_id"])
    assert (row.capacity, row.seats_held, row.seats_free) == (4, 6, 0)
    assert enrol(client, smes[1], ts["session_id"], 2).status_code == 409


def test_a_cancelled_session_cancels_every_open_enrolment_once(catalog, client, smes, db):
    ts = catalog.session(capacity=10)
    first = enrol(client, smes[0], ts["session_id"], 4).json
    second = enrol(client, smes[1], ts["session_id"], 6).json
    waiting = enrol(client, smes[2], ts["session_id"], 2, join_waitlist_if_full=True).json
    cancelled = catalog.envelope("cancelled", {**ts, "status": "cancelled",
                                               "reason": "venue flooded"})
    assert catalog.deliver(cancelled, cancelled) == ["applied", "duplicate"]
    with db.reading() as session:
        for body in (first, second):
            enrolment = session.get(Enrolment, body["id"])
            assert enrolment.status == "cancelled"
            assert enrolment.status_reason == "session cancelled: venue flooded"
            assert enrolment.status_changed_by == "catalog-staff-1"
        assert session.get(WaitlistEntry, int(waiting["id"])).status == "lapsed"
    row = offered(db, ts["session_id"])
    assert (row.status, row.seats_held, row.seats_confirmed) == ("cancelled", 0, 0)
    assert types(db).count("enrolment.cancelled") == 2
    assert types(db).count("waitlist.lapsed") == 1


def test_a_started_session_lapses_its_waitlist(catalog, client, smes, db):
    ts = catalog.session(capacity=6)
    enrol(client, smes[0], ts["session_id"], 6)
    waiting = enrol(client, smes[1], ts["session_id"], 2, join_waitlist_if_full=True).json
    catalog.send("started", {**ts, "status": "in_progress"})
    with db.reading() as session:
        assert session.get(WaitlistEntry, int(waiting["id"])).status == "lapsed"


@pytest.mark.parametrize(("later", "stale"), [
    ("cancelled", "updated"), ("completed", "published"), ("in_progress", "published"),
])
def test_an_older_event_arriving_late_never_reopens_a_session(catalog, db, later, stale):
    ts = catalog.session()
    action = {"cancelled": "cancelled", "completed": "completed", "in_progress": "started"}[later]
    catalog.send(action, {**ts, "status": later})
    assert catalog.send(stale, {**ts, "status": "published", "city": "Bogor"}) == "applied"
    row = offered(db, ts["session_id"])
    assert (row.status, row.city) == (later, "Bandung")


def test_a_malformed_session_event_is_dead_lettered(catalog, db):
    payload = session_payload()
    value = catalog.envelope("published", payload)
    broken = value.replace(b'"capacity": 20', b'"capacity": "twenty"')
    assert broken != value
    assert catalog.deliver(broken) == ["dead_lettered"]
    assert offered(db, payload["session_id"]) is None
