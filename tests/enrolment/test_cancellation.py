"""The SME or the provider cancels an enrolment: seats back, waitlist promoted, 409 otherwise."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.enrolment.models import Enrolment, OfferedSession, WaitlistEntry
from services.enrolment.service import holds
from shared import clock as shared_clock
from shared.events.tables import outbox
from tests.enrolment.builders import register_sme, team


@pytest.fixture
def smes(db, policy, auth):
    out = []
    for name in ("sari", "budi"):
        sme_id = register_sme(db, policy, subject=name)
        out.append(auth("sme_user", sme_id, "sme", subject=name))
    return out


@pytest.fixture
def held(client, catalog, smes):
    """A 6-seat session with a held team of 4 (the first SME's)."""
    ts = catalog.session(capacity=6, provider_id="prov-1")
    response = client.post(f"/sessions/{ts['session_id']}/enrolments",
                           json={"participants": team(4)}, headers=smes[0])
    return ts, response.json


def cancel(client, enrolment_id, headers, reason="the team cannot travel"):
    return client.post(f"/enrolments/{enrolment_id}/cancel", json={"reason": reason},
                       headers=headers)


def counters(db, session_id) -> tuple[int, int]:
    with db.reading() as session:
        offered = session.get(OfferedSession, session_id)
        return offered.seats_held, offered.seats_confirmed


def confirm(db, enrolment_id) -> None:
    with db.transaction() as session:
        holds.confirm(session, session.get(Enrolment, enrolment_id), "confirm", actor="test")


def test_the_sme_cancels_its_held_enrolment_and_the_seats_go_back(client, held, smes, db):
    ts, body = held
    response = cancel(client, body["id"], smes[0])
    assert response.status_code == 200, response.json
    assert response.json["status"] == "cancelled"
    assert response.json["status_reason"] == "the team cannot travel"
    assert counters(db, ts["session_id"]) == (0, 0)
    with db.reading() as session:
        last = session.scalars(select(outbox.c.type).order_by(outbox.c.id.desc())).first()
    assert last == "score.enrolment.enrolment.cancelled.v1"


def test_the_provider_cancels_a_confirmed_enrolment(client, held, auth, db):
    ts, body = held
    confirm(db, body["id"])
    staff = auth("provider_staff", "prov-1", "provider", subject="staff-1")
    response = cancel(client, body["id"], staff)
    assert response.status_code == 200 and response.json["status"] == "cancelled"
    assert counters(db, ts["session_id"]) == (0, 0)
    with db.reading() as session:
        assert session.get(Enrolment, body["id"]).status_changed_by == "staff-1"


def test_a_cancellation_offers_the_seats_to_the_waitlist(client, held, smes, db):
    ts, body = held
    waiting = client.post(f"/sessions/{ts['session_id']}/enrolments",
                          json={"participants": team(3), "join_waitlist_if_full": True},
                          headers=smes[1]).json
    cancel(client, body["id"], smes[0])
    with db.reading() as session:
        assert session.get(WaitlistEntry, int(waiting["id"])).status == "offered"
    assert counters(db, ts["session_id"]) == (3, 0)


@pytest.mark.parametrize("state", ["cancelled", "expired", "completed"])
def test_a_closed_enrolment_cannot_be_cancelled(client, held, smes, db, policy, state):
    ts, body = held
    with db.transaction() as session:
        enrolment = session.get(Enrolment, body["id"])
        if state == "completed":
            holds.confirm(session, enrolment, "confirm", actor="test")
            enrolment.transition("complete", actor="test", now=shared_clock.now())
        else:
            action = {"cancelled": "cancel", "expired": "expire"}[state]
            holds.release(session, enrolment, action, actor="test", reason=None, policy=policy)
    before = counters(db, ts["session_id"])
    response = cancel(client, body["id"], smes[0])
    assert response.status_code == 409, response.json
    assert response.json["type"].endswith("/invalid-transition")
    assert counters(db, ts["session_id"]) == before


def test_other_smes_do_not_see_the_enrolment(client, held, smes):
    assert cancel(client, held[1]["id"], smes[1]).status_code == 404


def test_another_providers_staff_do_not_see_it(client, held, auth):
    staff = auth("provider_staff", "prov-2", "provider")
    assert cancel(client, held[1]["id"], staff).status_code == 404


@pytest.mark.parametrize("role", ["trainer", "platform_admin", "sponsor_staff", "ilo_auditor"])
def test_only_the_sme_and_the_provider_cancel(client, held, auth, db, role):
    response = cancel(client, held[1]["id"], auth(role, subject="trainer-1"))
    assert response.status_code == 403
    with db.reading() as session:
        assert session.get(Enrolment, held[1]["id"]).status == "held"


def test_a_trainer_of_the_session_sees_it_but_may_not_cancel(client, held, auth, db):
    assert client.get(f"/enrolments/{held[1]['id']}",
                      headers=auth("trainer", subject="trainer-1")).status_code == 200


def test_a_cancellation_needs_a_reason(client, held, smes):
    response = client.post(f"/enrolments/{held[1]['id']}/cancel", json={"reason": " "},
                           headers=smes[0])
    assert response.status_code == 422 and "reason" in response.json["errors"]


def test_an_unknown_enrolment_is_404(client, smes):
    assert cancel(client, "nope", smes[0]).status_code == 404
