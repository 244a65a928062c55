"""Unpaid holds lapse: the reaper job and the lazy check on read release seats and promote."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from services import enrolment as enrolment_service
from services.enrolment.models import Enrolment, OfferedSession, WaitlistEntry
from services.enrolment.service import expiry, holds
from shared import clock as shared_clock
from shared.events.tables import outbox
from shared.jobs import JobContext
from tests.enrolment.builders import register_sme, team


@pytest.fixture
def smes(db, policy, auth):
    out = []
    for name in ("sari", "budi", "wati", "joko"):
        sme_id = register_sme(db, policy, subject=name)
        out.append(auth("sme_user", sme_id, "sme", subject=name))
    return out


def enrol(client, headers, session_id, size=3, **body) -> dict:
    response = client.post(f"/sessions/{session_id}/enrolments",
                           json={"participants": team(size), **body}, headers=headers)
    assert response.status_code in (201, 202), response.json
    return response.json


def status(db, enrolment_id) -> str:
    with db.reading() as session:
        return session.get(Enrolment, enrolment_id).status


def held(db, session_id) -> int:
    with db.reading() as session:
        return session.get(OfferedSession, session_id).seats_held


def pay_by(db, enrolment_id, method, expires_at=None) -> None:
    """What the payments side does when a checkout or an invoice opens."""
    with db.transaction() as session:
        enrolment = session.get(Enrolment, enrolment_id)
        enrolment.transition("start_payment", actor="sari", now=shared_clock.now())
        enrolment.payment_method = method
        if expires_at is not None:
            enrolment.expires_at = expires_at


def test_the_reaper_expires_a_lapsed_hold_and_releases_its_seats(client, catalog, smes, db,
                                                                 policy, clock):
    ts = catalog.session()
    body = enrol(client, smes[0], ts["session_id"], 4)
    assert expiry.reap(db, policy) == 0
    clock.advance(minutes=policy.hold_minutes - 1)
    assert expiry.reap(db, policy) == 0 and status(db, body["id"]) == "held"
    clock.advance(minutes=1)
    assert expiry.reap(db, policy) == 1
    assert status(db, body["id"]) == "expired" and held(db, ts["session_id"]) == 0
    with db.reading() as session:
        last = session.scalars(select(outbox.c.type).order_by(outbox.c.id.desc())).first()
        enrolment = session.get(Enrolment, body["id"])
        assert (enrolment.status_reason, enrolment.status_changed_by) == (
            "the hold lapsed unpaid", expiry.REAPER)
    assert last == "score.enrolment.enrolment.expired.v1"


def test_an_open_card_checkout_gets_the_grace_period(client, catalog, smes, db, policy, clock):
    ts = catalog.session()
    body = enrol(client, smes[0], ts["session_id"])
    pay_by(db, body["id"], "card")
    clock.advance(minutes=policy.hold_minutes, seconds=policy.card_expiry_grace_s - 1)
    assert expiry.reap(db, policy) == 0 and status(db, body["id"]) == "awaiting_payment"
    clock.advance(seconds=1)
    assert expiry.reap(db, policy) == 1 and status(db, body["id"]) == "expired"


def test_a_bank_transfer_lapses_at_the_end_of_its_due_date(client, catalog, smes, db, policy,
                                                          clock):
    ts = catalog.session()
    body = enrol(client, smes[0], ts["session_id"])
    due_end = clock.now() + dt.timedelta(days=7)
    pay_by(db, body["id"], "bank_transfer", expires_at=due_end)
    clock.advance(days=6)
    assert expiry.reap(db, policy) == 0
    clock.move_to(due_end.date() + dt.timedelta(days=1))
    assert expiry.reap(db, policy) == 1 and status(db, body["id"]) == "expired"


def test_a_hold_paid_after_it_was_picked_is_not_expired(client, catalog, smes, db, policy,
                                                        clock):
    ts = catalog.session()
    body = enrol(client, smes[0], ts["session_id"])
    clock.advance(minutes=policy.hold_minutes + 1)
    assert expiry.overdue_ids(db, policy) == [body["id"]]
    with db.transaction() as session:  # the payment lands between the pick and the lock
        holds.confirm(session, session.get(Enrolment, body["id"]), "confirm", actor="stripe")
    assert not expiry.expire_if_overdue(db, body["id"], policy)
    assert status(db, body["id"]) == "confirmed"


def test_a_round_expires_at_most_its_batch_oldest_first(client, catalog, smes, db, policy,
                                                        clock):
    ts = catalog.session()
    ids = []
    for headers in smes[:3]:
        ids.append(enrol(client, headers, ts["session_id"], 2)["id"])
        clock.advance(minutes=1)
    clock.advance(minutes=policy.hold_minutes)
    assert expiry.reap(db, policy, limit=2) == 2
    assert [status(db, i) for i in ids] == ["expired", "expired", "held"]
    assert expiry.reap(db, policy, limit=2) == 1


def test_an_expiry_offers_the_seats_to_the_waitlist(client, catalog, smes, db, policy, clock):
    ts = catalog.session(capacity=6)
    body = enrol(client, smes[0], ts["session_id"], 6)
    clock.advance(minutes=10)
    waiting = enrol(client, smes[1], ts["session_id"], 4, join_waitlist_if_full=True)
    clock.advance(minutes=policy.hold_minutes - 9)
    assert expiry.reap(db, policy) == 1
    with db.reading() as session:
        entry = session.get(WaitlistEntry, int(waiting["id"]))
        offer = session.get(Enrolment, entry.enrolment_id)
    assert status(db, body["id"]) == "expired" and entry.status == "offered"
    assert offer.status == "held" and offer.expires_at == clock.now() + dt.timedelta(
        minutes=policy.hold_minutes)
    assert held(db, ts["session_id"]) == 4


def test_reading_a_lapsed_hold_expires_it_at_once(client, catalog, smes, db, policy, clock):
    ts = catalog.session()
    body = enrol(client, smes[0], ts["session_id"], 4)
    clock.advance(minutes=policy.hold_minutes + 1)
    response = client.get(f"/enrolments/{body['id']}", headers=smes[0])
    assert response.status_code == 200
    assert response.json["status"] == "expired" and response.json["expires_at"] is None
    assert held(db, ts["session_id"]) == 0
    assert expiry.reap(db, policy) == 0


def test_reading_a_live_hold_writes_nothing(client, catalog, smes, db):
    ts = catalog.session()
    body = enrol(client, smes[0], ts["session_id"])
    with db.reading() as session:
        before = session.get(Enrolment, body["id"]).updated_at
    assert client.get(f"/enrolments/{body['id']}", headers=smes[0]).json["status"] == "held"
    with db.reading() as session:
        assert session.get(Enrolment, body["id"]).updated_at == before


def test_the_reaper_is_a_job_of_the_service(client, catalog, smes, db, app, clock, policy):
    job = next(j for j in enrolment_service.runtime().jobs if j.name == "reaper")
    ts = catalog.session()
    body = enrol(client, smes[0], ts["session_id"])
    clock.advance(minutes=policy.hold_minutes + 1)
    periodic = job.build(JobContext(app.extensions["score_settings"], db,
                                    app.extensions["score_bus"]))
    assert periodic.interval_s == policy.reaper_interval_s
    stop = threading.Event()
    runner = threading.Thread(target=periodic.run, args=(stop,))
    runner.start()
    try:
        for _ in range(200):
            if status(db, body["id"]) == "expired":
                break
            stop.wait(0.05)
    finally:
        stop.set()
        runner.join(timeout=10)
    assert status(db, body["id"]) == "expired"
