"""The authorisation matrix: every endpoint × every kind of caller, one cell per test.

Each cell gets fresh rows to act on, so an allowed write really succeeds and a
denied one is proven to change nothing (same rows, same outbox, same target).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from services import catalog
from services.catalog.models import Course, Provider, TrainingSession
from shared.events.tables import outbox
from tests.catalog.builders import Builder, course_body, days, provider_body, session_body
from tests.support.apps import base_config, bearer, migrated_sqlite

CALLERS = ["anonymous", "staff_own", "staff_foreign", "staff_new", "sme_user",
           "sponsor_staff", "trainer", "ilo_auditor", "platform_admin"]


def _expect(default: int, **cells: int) -> dict[str, int]:
    return {caller: cells.get(caller, default) for caller in CALLERS}


PUBLIC_READ = _expect(200)
PRIVATE_ITEM = _expect(404, staff_own=200, ilo_auditor=200, platform_admin=200)
PRIVATE_LIST = _expect(403, anonymous=401, staff_own=200, ilo_auditor=200, platform_admin=200)
AUDIT_LIST = _expect(403, anonymous=401, ilo_auditor=200, platform_admin=200)
REGISTER = _expect(403, anonymous=401, staff_new=201)
ADMIN_WRITE = _expect(403, anonymous=401, platform_admin=200)


def staff_write(ok: int = 200) -> dict[str, int]:
    """Own staff may; other staff see nothing (404); other roles are refused (403)."""
    return _expect(403, anonymous=401, staff_own=ok, staff_foreign=404, staff_new=404)


@dataclasses.dataclass
class World:
    """Rows one cell acts on; ``own`` is the provider whose staff is ``staff_own``."""

    own: str
    ids: dict[str, str]


def _approved(b: Builder) -> World:
    p = b.provider()
    return World(p.id, {"provider": p.id})


def _pending(b: Builder) -> World:
    p = b.provider("pending")
    return World(p.id, {"provider": p.id})


def _full(b: Builder) -> World:
    p = b.provider()
    published, draft = b.course(p), b.course(p, "draft")
    today = {"start_date": days(0).isoformat(), "end_date": days(0).isoformat(),
             "enrolment_deadline": days(0).isoformat()}
    return World(p.id, {
        "provider": p.id, "course": published.id, "draft_course": draft.id,
        "session": b.session(published).id, "draft_session": b.session(published, "draft").id,
        "today_session": b.session(published, **today).id,
        "running_session": b.session(published, "in_progress").id,
    })


@dataclasses.dataclass
class Endpoint:
    """One endpoint (or one access-relevant variant of it)."""

    method: str
    path: str
    expected: dict[str, int]
    setup: Callable[[Builder], World] = _full
    body: Callable[[World], dict | None] = lambda _w: None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ENDPOINTS = [
    Endpoint("GET", "/modules", PUBLIC_READ),
    Endpoint("GET", "/provinces", PUBLIC_READ),
    Endpoint("GET", "/providers", PUBLIC_READ),
    Endpoint("GET", "/providers?status=pending", AUDIT_LIST),
    Endpoint("POST", "/providers", REGISTER, _approved, lambda _w: provider_body()),
    Endpoint("GET", "/providers/{provider}", PUBLIC_READ, _approved),
    Endpoint("GET", "/providers/{provider}#pending", PRIVATE_ITEM, _pending),
    Endpoint("PATCH", "/providers/{provider}", staff_write(), _approved,
             lambda _w: {"description": "Updated profile."}),
    Endpoint("POST", "/providers/{provider}/approve", ADMIN_WRITE, _pending, lambda _w: {}),
    Endpoint("POST", "/providers/{provider}/suspend", ADMIN_WRITE, _approved,
             lambda _w: {"reason": "quality complaints"}),
    Endpoint("GET", "/providers/{provider}/courses", PUBLIC_READ),
    Endpoint("GET", "/providers/{provider}/courses?status=draft", PRIVATE_LIST),
    Endpoint("POST", "/providers/{provider}/courses", staff_write(201), _approved,
             lambda _w: course_body()),
    Endpoint("GET", "/courses/{course}", PUBLIC_READ),
    Endpoint("GET", "/courses/{draft_course}", PRIVATE_ITEM),
    Endpoint("PATCH", "/courses/{course}", staff_write(),
             body=lambda _w: {"price_per_participant": 2_750_000}),
    Endpoint("POST", "/courses/{draft_course}/publish", staff_write()),
    Endpoint("POST", "/courses/{course}/archive", staff_write()),
    Endpoint("GET", "/sessions", PUBLIC_READ),
    Endpoint("GET", "/sessions/{session}", PUBLIC_READ),
    Endpoint("GET", "/sessions/{draft_session}", PRIVATE_ITEM),
    Endpoint("GET", "/providers/{provider}/sessions", PUBLIC_READ),
    Endpoint("GET", "/providers/{provider}/sessions?status=draft", PRIVATE_LIST),
    Endpoint("POST", "/providers/{provider}/sessions", staff_write(201),
             body=lambda w: session_body(w.ids["course"])),
    Endpoint("PATCH", "/sessions/{session}", staff_write(), body=lambda _w: {"capacity": 24}),
    Endpoint("POST", "/sessions/{draft_session}/publish", staff_write()),
    Endpoint("POST", "/sessions/{today_session}/start", staff_write()),
    Endpoint("POST", "/sessions/{running_session}/complete", staff_write()),
    Endpoint("POST", "/sessions/{session}/cancel", staff_write(),
             body=lambda _w: {"reason": "venue unavailable"}),
]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, signing_key):
    """One app for the whole matrix; every cell builds its own rows in it."""
    directory = tmp_path_factory.mktemp("matrix")
    url = migrated_sqlite(catalog.runtime(), directory)
    app = catalog.create_app(base_config(directory, signing_key, database_url=url))
    db = app.extensions["score_db"]
    build = Builder(db)
    foreign = build.provider()
    # Reads change nothing, so read cells share one world per setup.
    shared = {setup: setup(build) for setup in (_approved, _pending, _full)}
    yield app, db, foreign.id, shared
    db.dispose()


def _headers(caller: str, world: World, foreign: str, key) -> dict:
    return {
        "anonymous": {},
        "staff_own": bearer(key, "provider_staff", world.own, "provider", subject="own-1"),
        "staff_foreign": bearer(key, "provider_staff", foreign, "provider", subject="for-1"),
        "staff_new": bearer(key, "provider_staff", subject="new-1"),
        "sme_user": bearer(key, "sme_user", "sme-1", "sme", subject="sme-1"),
        "sponsor_staff": bearer(key, "sponsor_staff", "sponsor-1", "sponsor", subject="sp-1"),
        "trainer": bearer(key, "trainer", subject="trainer-1"),
        "ilo_auditor": bearer(key, "ilo_auditor", subject="auditor-1"),
        "platform_admin": bearer(key, "platform_admin", subject="admin-1"),
    }[caller]


def _state(db, world: World) -> tuple:
    """Everything a denied request must leave as it was."""
    with db.reading() as session:
        counts = tuple(session.scalar(select(func.count()).select_from(t)) for t in (
            outbox, Provider.__table__, Course.__table__, TrainingSession.__table__))
        rows = []
        for name, row_id in sorted(world.ids.items()):
            model = Provider if name == "provider" else (
                Course if "course" in name else TrainingSession)
            row = session.get(model, row_id)
            rows.append((row.status, row.updated_at))
    return counts, tuple(rows)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_authorisation_matrix(matrix, signing_key, endpoint, caller):
    app, db, foreign, shared = matrix
    world = shared[endpoint.setup] if endpoint.method == "GET" else endpoint.setup(Builder(db))
    path = endpoint.path.split("#")[0].format(**world.ids)
    before = _state(db, world)
    response = app.test_client().open(path, method=endpoint.method, json=endpoint.body(world),
                                      headers=_headers(caller, world, foreign, signing_key))
    expected = endpoint.expected[caller]
    assert response.status_code == expected, (caller, str(endpoint), response.get_json())
    if expected >= 400:
        assert response.mimetype == "application/problem+json"
        assert _state(db, world) == before, "a denied request changed something"
    elif endpoint.method != "GET":
        assert _state(db, world) != before, "an allowed command changed nothing"
