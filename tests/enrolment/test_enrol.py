"""An SME enrols a team: seats held with a price snapshot, the rules, full sessions, retries."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from services.enrolment.models import Enrolment, Notification, OfferedSession, WaitlistEntry
from shared.events.tables import outbox
from tests.enrolment.builders import register_sme, team


@pytest.fixture
def sme(db, policy, auth):
    """A registered SME and the headers of its user."""
    sme_id = register_sme(db, policy, subject="sari")
    return sme_id, auth("sme_user", sme_id, "sme", subject="sari")


@pytest.fixture
def other_sme(db, policy, auth):
    sme_id = register_sme(db, policy, subject="budi")
    return sme_id, auth("sme_user", sme_id, "sme", subject="budi")


def enrol(client, headers, session_id, size=3, **body):
    return client.post(f"/sessions/{session_id}/enrolments",
                       json={"participants": team(size), **body}, headers=headers)


def seats(db, session_id) -> tuple[int, int]:
    with db.reading() as session:
        offered = session.get(OfferedSession, session_id)
        return offered.seats_held, offered.seats_confirmed


def event_types(db) -> list[str]:
    with db.reading() as session:
        return [t.split(".")[-3] + "." + t.split(".")[-2]
                for t in session.scalars(select(outbox.c.type).order_by(outbox.c.id))]


def test_a_team_is_held_with_the_price_snapshot(client, catalog, sme, db):
    ts = catalog.session(price_per_participant=2_000_000)
    response = enrol(client, sme[1], ts["session_id"], size=3)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "held" and body["sme_id"] == sme[0]
    assert (body["participants_count"], body["managers"], body["workers"]) == (3, 1, 2)
    assert (body["women"], body["men"]) == (2, 1)
    assert body["price_per_participant"] == 2_000_000
    assert body["amount_due"] == body["sme_share"] == 6_000_000 and body["sponsor_share"] == 0
    assert len(body["participants"]) == 3 and body["payments"] == []
    assert response.headers["Location"].endswith(f"/enrolments/{body['id']}")
    assert seats(db, ts["session_id"]) == (3, 0)
    assert event_types(db)[-1] == "enrolment.held"


def test_the_hold_lasts_the_policy_minutes(client, catalog, sme, policy, clock):
    ts = catalog.session()
    body = enrol(client, sme[1], ts["session_id"]).json
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert expires - clock.now() == dt.timedelta(minutes=policy.hold_minutes)


def test_the_sme_gets_a_hold_confirmation_email(client, catalog, sme, db):
    ts = catalog.session()
    enrol(client, sme[1], ts["session_id"])
    with db.reading() as session:
        assert session.scalar(select(Notification.template)) == "hold_confirmation"


@pytest.mark.parametrize(("participants", "message"), [
    (team(1), "2–6 participants"),
    (team(7), "2–6 participants"),
    (team(3, managers=0), "manager"),
    (team(3, managers=3), "worker"),
])
def test_a_team_breaking_the_rules_is_422_and_holds_nothing(client, catalog, sme, db,
                                                            participants, message):
    ts = catalog.session()
    response = client.post(f"/sessions/{ts['session_id']}/enrolments",
                           json={"participants": participants}, headers=sme[1])
    assert response.status_code == 422, response.json
    assert message in " ".join(response.json["errors"]["participants"])
    assert seats(db, ts["session_id"]) == (0, 0)


def test_the_course_limit_per_enterprise_caps_the_team(client, catalog, sme):
    ts = catalog.session(max_participants_per_enterprise=3)
    assert enrol(client, sme[1], ts["session_id"], size=4).status_code == 422
    assert enrol(client, sme[1], ts["session_id"], size=3).status_code == 201


def test_enrolment_closes_after_the_deadline(client, catalog, sme, clock):
    ts = catalog.session()
    clock.move_to(ts["enrolment_deadline"])
    assert enrol(client, sme[1], ts["session_id"]).status_code == 201
    other = catalog.session()
    clock.move_to(other["enrolment_deadline"] + dt.timedelta(days=1))
    response = enrol(client, sme[1], other["session_id"])
    assert response.status_code == 409 and "session_id" in response.json["errors"]


@pytest.mark.parametrize("status", ["in_progress", "cancelled", "completed"])
def test_a_session_no_longer_published_takes_no_enrolment(client, catalog, sme, status):
    ts = catalog.session(status=status)
    assert enrol(client, sme[1], ts["session_id"]).status_code == 409


def test_an_unknown_session_is_404(client, sme):
    assert enrol(client, sme[1], "no-such-session").status_code == 404


def test_one_open_enrolment_per_sme_and_session(client, catalog, sme, db):
    ts = catalog.session()
    assert enrol(client, sme[1], ts["session_id"]).status_code == 201
    again = enrol(client, sme[1], ts["session_id"], size=2)
    assert again.status_code == 409 and "session_id" in again.json["errors"]
    assert seats(db, ts["session_id"]) == (3, 0)


def test_a_cancelled_enrolment_does_not_block_a_new_one(client, catalog, sme):
    ts = catalog.session()
    first = enrol(client, sme[1], ts["session_id"]).json
    assert client.post(f"/enrolments/{first['id']}/cancel", json={"reason": "wrong team"},
                       headers=sme[1]).status_code == 200
    assert enrol(client, sme[1], ts["session_id"]).status_code == 201


def test_a_team_that_does_not_fit_is_409_session_full_with_the_free_seats(
        client, catalog, sme, other_sme, db):
    ts = catalog.session(capacity=8)
    assert enrol(client, other_sme[1], ts["session_id"], size=6).status_code == 201
    response = enrol(client, sme[1], ts["session_id"], size=3)
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["type"].endswith("/session-full")
    assert (body["seats_free"], body["seats_requested"]) == (2, 3)
    assert seats(db, ts["session_id"]) == (6, 0)
    with db.reading() as session:
        assert session.scalar(select(WaitlistEntry.id)) is None


def test_a_team_that_does_not_fit_may_join_the_waitlist(client, catalog, sme, other_sme, db):
    ts = catalog.session(capacity=8)
    enrol(client, other_sme[1], ts["session_id"], size=6)
    response = enrol(client, sme[1], ts["session_id"], size=3, join_waitlist_if_full=True)
    assert response.status_code == 202, response.json
    body = response.json
    assert (body["status"], body["position"], body["participants_count"]) == ("waiting", 1, 3)
    assert response.headers["Location"].endswith(f"/smes/{sme[0]}/waitlist")
    assert event_types(db)[-1] == "waitlist.joined"
    again = enrol(client, sme[1], ts["session_id"], size=2)
    assert again.status_code == 409  # already waiting there


def test_a_user_without_an_sme_cannot_enrol(client, catalog, auth):
    ts = catalog.session()
    response = enrol(client, auth("sme_user", subject="newcomer"), ts["session_id"])
    assert response.status_code == 403


def test_an_sme_unknown_here_is_404(client, catalog, auth):
    ts = catalog.session()
    assert enrol(client, auth("sme_user", "ghost", "sme"), ts["session_id"]).status_code == 404


def test_a_retry_with_the_same_idempotency_key_holds_once(client, catalog, sme, db):
    ts = catalog.session()
    headers = {**sme[1], "Idempotency-Key": "enrol-1"}
    first = enrol(client, headers, ts["session_id"])
    second = enrol(client, headers, ts["session_id"])
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json["id"] == first.json["id"]
    assert seats(db, ts["session_id"]) == (3, 0)
    other_body = enrol(client, headers, ts["session_id"], size=2)
    assert other_body.status_code == 422


def test_the_held_enrolment_is_stored_with_its_team(client, catalog, sme, db):
    ts = catalog.session()
    body = enrol(client, sme[1], ts["session_id"]).json
    with db.reading() as session:
        stored = session.get(Enrolment, body["id"])
        assert sorted(p.full_name for p in stored.participants) == [
            "Peserta 0", "Peserta 1", "Peserta 2"]
        assert stored.hold_id == stored.id and stored.created_by == "sari"
