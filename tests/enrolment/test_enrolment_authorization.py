"""The authorisation matrix of sessions, enrolments and waitlists: endpoint × caller.

Each write cell gets fresh rows, so an allowed write really succeeds and a
denied one is proven to change nothing (same rows, same outbox).
"""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from services import enrolment
from services.enrolment.models import Enrolment, WaitlistEntry
from services.enrolment.service import enrolments, sessions
from shared.auth import Principal
from shared.events.tables import outbox
from tests.enrolment.builders import register_sme, session_payload, team
from tests.support.apps import base_config, bearer, migrated_sqlite

CALLERS = ["anonymous", "sme_own", "sme_foreign", "sme_new", "staff_own", "staff_foreign",
           "trainer_own", "trainer_foreign", "sponsor_staff", "ilo_auditor", "platform_admin"]


def _expect(default: int, **cells: int) -> dict[str, int]:
    return {caller: cells.get(caller, default) for caller in CALLERS}


SIGNED_IN = _expect(200, anonymous=401)
READERS = _expect(200, anonymous=401, sponsor_staff=403)
ENROLMENT_ITEM = _expect(404, anonymous=401, sponsor_staff=403, sme_own=200, staff_own=200,
                         trainer_own=200, ilo_auditor=200, platform_admin=200)
SESSION_ENROLMENTS = _expect(403, anonymous=401, staff_own=200, staff_foreign=404,
                             trainer_own=200, trainer_foreign=404, ilo_auditor=200,
                             platform_admin=200)
SESSION_WAITLIST = _expect(403, anonymous=401, staff_own=200, staff_foreign=404,
                           ilo_auditor=200, platform_admin=200)
SME_WAITLIST = _expect(403, anonymous=401, sme_own=200, sme_foreign=404, sme_new=404,
                       ilo_auditor=200, platform_admin=200)
ENROL = _expect(403, anonymous=401, sme_own=201, sme_foreign=201)
CANCEL = _expect(403, anonymous=401, sme_own=200, staff_own=200, sme_foreign=404, sme_new=404,
                 staff_foreign=404)
WITHDRAW = _expect(403, anonymous=401, sme_own=204, sme_foreign=404, sme_new=404)


@dataclasses.dataclass
class World:
    """Rows one cell acts on: ``sme`` is the SME of ``sme_own``, ``prov-own`` the provider."""

    sme: str
    foreign_sme: str
    ids: dict[str, str]


def _world(db, policy) -> World:
    """An open session where the own SME holds seats, a full one where it waits, a fresh one."""
    open_session, full, fresh = (session_payload(capacity=20), session_payload(capacity=2),
                                 session_payload(capacity=20))
    with db.transaction() as session:
        for payload in (open_session, full, fresh):
            payload.update(provider_id="prov-own",
                           trainers=[{"trainer_id": "trainer-own", "role": "lead"}])
            sessions.apply_session(session, payload, actor="catalog", policy=policy)
    own, foreign, other = (register_sme(db, policy) for _ in range(3))
    principal = Principal("sme-own-user", "sme_user", own, "sme")
    held = enrolments.enrol_team(db, principal, policy, open_session["session_id"],
                                 {"participants": team(3), "join_waitlist_if_full": False})
    enrolments.enrol_team(db, Principal("x", "sme_user", other, "sme"), policy,
                          full["session_id"], {"participants": team(2),
                                               "join_waitlist_if_full": False})
    waiting = enrolments.enrol_team(db, principal, policy, full["session_id"],
                                    {"participants": team(2), "join_waitlist_if_full": True})
    assert held.enrolment is not None and waiting.waitlist_entry is not None
    return World(own, foreign, {"session": open_session["session_id"], "sme": own,
                                "enrolment": held.enrolment.id,
                                "full_session": full["session_id"],
                                "fresh_session": fresh["session_id"],
                                "entry": str(waiting.waitlist_entry.id)})


@dataclasses.dataclass
class Endpoint:
    """One endpoint."""

    method: str
    path: str
    expected: dict[str, int]
    body: dict | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ENDPOINTS = [
    Endpoint("GET", "/sessions/{session}", SIGNED_IN),
    Endpoint("POST", "/sessions/{fresh_session}/enrolments", ENROL,
             {"participants": team(2), "join_waitlist_if_full": False}),
    Endpoint("GET", "/sessions/{session}/enrolments", SESSION_ENROLMENTS),
    Endpoint("GET", "/enrolments", READERS),
    Endpoint("GET", "/enrolments/{enrolment}", ENROLMENT_ITEM),
    Endpoint("POST", "/enrolments/{enrolment}/cancel", CANCEL, {"reason": "plans changed"}),
    Endpoint("GET", "/sessions/{full_session}/waitlist", SESSION_WAITLIST),
    Endpoint("GET", "/smes/{sme}/waitlist", SME_WAITLIST),
    Endpoint("DELETE", "/waitlist/{entry}", WITHDRAW),
]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, signing_key):
    """One app for the whole matrix; reads share one world, each write builds its own."""
    directory = tmp_path_factory.mktemp("matrix")
    url = migrated_sqlite(enrolment.runtime(), directory)
    app = enrolment.create_app(base_config(directory, signing_key, database_url=url))
    db, policy = app.extensions["score_db"], app.extensions["enrolment_policy"]
    yield app, db, policy, _world(db, policy)
    db.dispose()


def _headers(caller: str, world: World, key) -> dict:
    sme = "sme_user"
    return {
        "anonymous": {},
        "sme_own": bearer(key, sme, world.sme, "sme", subject="sme-own-user"),
        "sme_foreign": bearer(key, sme, world.foreign_sme, "sme", subject="sme-foreign-user"),
        "sme_new": bearer(key, sme, subject="sme-new-user"),
        "staff_own": bearer(key, "provider_staff", "prov-own", "provider", subject="st-own"),
        "staff_foreign": bearer(key, "provider_staff", "prov-x", "provider", subject="st-x"),
        "trainer_own": bearer(key, "trainer", subject="trainer-own"),
        "trainer_foreign": bearer(key, "trainer", subject="trainer-x"),
        "sponsor_staff": bearer(key, "sponsor_staff", "sponsor-1", "sponsor", subject="sp-1"),
        "ilo_auditor": bearer(key, "ilo_auditor", subject="auditor-1"),
        "platform_admin": bearer(key, "platform_admin", subject="admin-1"),
    }[caller]


def _state(db, world: World) -> tuple:
    """Everything a denied request must leave as it was."""
    with db.reading() as session:
        counts = tuple(session.scalar(select(func.count()).select_from(t)) for t in (
            outbox, Enrolment.__table__, WaitlistEntry.__table__))
        held = session.get(Enrolment, world.ids["enrolment"])
        entry = session.get(WaitlistEntry, int(world.ids["entry"]))
        return counts, (held.status, held.updated_at), (entry.status, entry.updated_at)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_authorisation_matrix(matrix, signing_key, endpoint, caller):
    app, db, policy, shared = matrix
    world = shared if endpoint.method == "GET" else _world(db, policy)
    path = endpoint.path.format(**world.ids)
    before = _state(db, world)
    response = app.test_client().open(path, method=endpoint.method, json=endpoint.body,
                                      headers=_headers(caller, world, signing_key))
    expected = endpoint.expected[caller]
    assert response.status_code == expected, (caller, str(endpoint), response.get_json())
    if expected >= 400:
        assert response.mimetype == "application/problem+json"
        assert _state(db, world) == before, "a denied request changed something"
    elif endpoint.method != "GET":
        assert _state(db, world) != before, "an allowed command changed nothing"
