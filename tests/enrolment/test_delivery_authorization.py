"""The authorisation matrix of attendance, completion, visits and KPIs: endpoint × caller.

The world is a session that began yesterday and ends today, where the own SME's
team is confirmed and one visit is planned. Each write cell gets a world of its
own, so an allowed write really succeeds and a denied one is proven to change
nothing (same rows, same outbox).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from services import enrolment
from services.enrolment.models import AttendanceMark, Enrolment, KpiReport, Visit
from services.enrolment.service import enrolments, holds, sessions, visits
from shared import clock
from shared.auth import Principal
from shared.events.tables import outbox
from tests.enrolment.builders import register_sme, session_payload, team
from tests.enrolment.test_enrolment_authorization import CALLERS, _headers
from tests.support.apps import base_config, migrated_sqlite


def _expect(default: int, **cells: int) -> dict[str, int]:
    return {caller: cells.get(caller, default) for caller in CALLERS}


PUBLIC = _expect(200)
TEAM_READERS = _expect(404, anonymous=401, sponsor_staff=403, sme_own=200, staff_own=200,
                       trainer_own=200, ilo_auditor=200, platform_admin=200)
SESSION_READERS = _expect(403, anonymous=401, staff_own=200, staff_foreign=404,
                          trainer_own=200, trainer_foreign=404, ilo_auditor=200,
                          platform_admin=200)
DELIVERERS = _expect(403, anonymous=401, staff_own=200, staff_foreign=404, trainer_own=200,
                     trainer_foreign=404)
PLANNERS = {**DELIVERERS, "staff_own": 201, "trainer_own": 201}
CLOSER = _expect(403, anonymous=401, staff_own=200, staff_foreign=404)
KPI_READERS = _expect(403, anonymous=401, sme_own=200, sme_foreign=404, sme_new=404,
                      staff_own=200, staff_foreign=404, ilo_auditor=200, platform_admin=200)
KPI_REPORTERS = _expect(403, anonymous=401, sme_own=201, sme_foreign=404, sme_new=404,
                        staff_own=201, staff_foreign=404)


@dataclasses.dataclass
class World:
    """Rows one cell acts on: ``sme`` is the SME of ``sme_own``, ``prov-own`` the provider."""

    sme: str
    foreign_sme: str
    ids: dict[str, str]
    team: list[str]


def _world(db, policy) -> World:
    start = clock.today() - dt.timedelta(days=1)
    payload = session_payload(provider_id="prov-own", start_date=start, end_date=clock.today(),
                              enrolment_deadline=start - dt.timedelta(days=7),
                              trainers=[{"trainer_id": "trainer-own", "role": "lead"}])
    own, foreign = register_sme(db, policy), register_sme(db, policy)
    with clock.replaying(start - dt.timedelta(days=20)):
        with db.transaction() as session:
            sessions.apply_session(session, payload, actor="catalog", policy=policy)
        enrolled = enrolments.enrol_team(db, Principal("sme-own-user", "sme_user", own, "sme"),
                                         policy, payload["session_id"],
                                         {"participants": team(3), "join_waitlist_if_full": False})
        assert enrolled.enrolment is not None
        with db.transaction() as session:
            holds.confirm(session, session.get(Enrolment, enrolled.enrolment.id), "confirm",
                          actor="test")
    trainer = Principal("trainer-own", "trainer")
    visit = visits.schedule(db, trainer, enrolled.enrolment.id, {
        "scheduled_on": clock.today(), "trainer_id": "trainer-own"})
    return World(own, foreign, {"session": payload["session_id"], "sme": own,
                                "enrolment": enrolled.enrolment.id, "visit": visit.id},
                 [p.id for p in enrolled.enrolment.participants])


@dataclasses.dataclass
class Endpoint:
    """One endpoint; ``body`` builds the request body for a world."""

    method: str
    path: str
    expected: dict[str, int]
    body: Callable[[World], dict] | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _days(n: int) -> str:
    return (clock.today() + dt.timedelta(days=n)).isoformat()


ENDPOINTS = [
    Endpoint("PUT", "/enrolments/{enrolment}/attendance/1", DELIVERERS,
             lambda w: {"present": w.team[:2]}),
    Endpoint("GET", "/enrolments/{enrolment}/attendance", TEAM_READERS),
    Endpoint("GET", "/sessions/{session}/attendance", SESSION_READERS),
    Endpoint("POST", "/sessions/{session}/close-attendance", CLOSER),
    Endpoint("GET", "/enrolments/{enrolment}/visits", TEAM_READERS),
    Endpoint("POST", "/enrolments/{enrolment}/visits", PLANNERS,
             lambda w: {"scheduled_on": _days(3), "trainer_id": "trainer-own"}),
    Endpoint("GET", "/visits/{visit}", TEAM_READERS),
    Endpoint("PATCH", "/visits/{visit}", DELIVERERS, lambda w: {"scheduled_on": _days(4)}),
    Endpoint("POST", "/visits/{visit}/record", DELIVERERS, lambda w: {
        "visited_on": _days(0), "duration_minutes": 90, "topics": ["5S"],
        "members_present": w.team[:1], "actions_agreed": []}),
    Endpoint("POST", "/visits/{visit}/cancel", DELIVERERS, lambda w: {"reason": "banjir"}),
    Endpoint("GET", "/kpis", PUBLIC),
    Endpoint("GET", "/smes/{sme}/kpis", KPI_READERS),
    Endpoint("GET", "/smes/{sme}/kpis/report", KPI_READERS),
    Endpoint("POST", "/smes/{sme}/kpis", KPI_REPORTERS, lambda w: {
        "kpi": "waste", "kind": "baseline", "period_start": _days(-60),
        "period_end": _days(-30), "method": "weighbridge tickets", "value": "120.5"}),
]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, signing_key):
    """One app for the whole matrix; reads share one world, each write builds its own."""
    directory = tmp_path_factory.mktemp("delivery-matrix")
    url = migrated_sqlite(enrolment.runtime(), directory)
    app = enrolment.create_app(base_config(directory, signing_key, database_url=url))
    db, policy = app.extensions["score_db"], app.extensions["enrolment_policy"]
    yield app, db, policy, _world(db, policy)
    db.dispose()


def _state(db, world: World) -> tuple:
    """Everything a denied request must leave as it was."""
    with db.reading() as session:
        counts = tuple(session.scalar(select(func.count()).select_from(t)) for t in (
            outbox, AttendanceMark.__table__, Visit.__table__, KpiReport.__table__))
        enrolment_row = session.get(Enrolment, world.ids["enrolment"])
        visit = session.get(Visit, world.ids["visit"])
        return (counts, enrolment_row.status,
                (visit.status, visit.scheduled_on, visit.trainer_id, visit.cancel_reason))


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_delivery_authorisation_matrix(matrix, signing_key, endpoint, caller):
    app, db, policy, shared = matrix
    world = shared if endpoint.method == "GET" else _world(db, policy)
    path = endpoint.path.format(**world.ids)
    before = _state(db, world)
    body = endpoint.body(world) if endpoint.body else None
    response = app.test_client().open(path, method=endpoint.method, json=body,
                                      headers=_headers(caller, world, signing_key))
    expected = endpoint.expected[caller]
    assert response.status_code == expected, (caller, str(endpoint), response.get_json())
    if expected >= 400:
        assert response.mimetype == "application/problem+json"
        assert _state(db, world) == before, "a denied request changed something"
    elif endpoint.method != "GET":
        assert _state(db, world) != before, "an allowed command changed nothing"
