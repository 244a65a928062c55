"""The authorisation matrix: every endpoint × every kind of caller, one cell per test.

A trainer sees their own record; an expert trainer sees the trainers of their
modules (mentees), reviews their reports and recommends them – never themselves;
provider staff see the trainers who name their provider; the ILO auditor reads
everything and writes nothing; a platform admin (the certifier) records ToT,
names experts and decides. Foreign records look absent (404); a caller who may
read a record but not do this to it gets 403. Write cells get fresh rows, so an
allowed write really succeeds and a denied one is proven to change nothing.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable

import pytest
from sqlalchemy import select

from services import certification
from services.certification.models import ModuleStatus, ProgressReport, Trainer
from tests.certification.builders import Programme, profile
from tests.certification.conftest import written
from tests.support.apps import base_config, bearer, migrated_sqlite
from tests.support.paging import every_item

CALLERS = ["anonymous", "trainer_own", "trainer_other", "trainer_new", "expert",
           "expert_other", "provider_own", "provider_foreign", "sme_user", "ilo_auditor",
           "platform_admin"]
_cells = itertools.count()


def _expect(default: int, **cells: int) -> dict[str, int]:
    return {caller: cells.get(caller, default) for caller in CALLERS}


READ = _expect(404, anonymous=401, trainer_own=200, expert=200, provider_own=200,
               ilo_auditor=200, platform_admin=200)
LIST = _expect(200, anonymous=401)
REGISTER = _expect(403, anonymous=401, trainer_new=201)
ADMIN_ONLY = _expect(403, anonymous=401, platform_admin=200)
TRAINER_ROLE_DENIED = {"trainer_other": 404, "trainer_new": 404, "expert_other": 404}
OWN_WRITE = _expect(403, anonymous=401, trainer_own=200, **TRAINER_ROLE_DENIED)
REPORT = _expect(403, anonymous=401, trainer_own=201, **TRAINER_ROLE_DENIED)
REVIEW = _expect(403, anonymous=401, expert=200, platform_admin=200, **TRAINER_ROLE_DENIED)
RECOMMEND = _expect(403, anonymous=401, expert=201, **TRAINER_ROLE_DENIED)


@dataclasses.dataclass
class World:
    """Rows one cell acts on: the trainer (M1, provider ``prov-1``) and a submitted report."""

    ids: dict[str, str]
    cell: int = dataclasses.field(default_factory=lambda: next(_cells))


def _world(programme: Programme) -> World:
    trainer = programme.trainer(provider_id="prov-1", modules_of_interest=["M1"])
    assert programme.tot(trainer).status_code == 201
    programme.session_completed((trainer, "co"))
    return World({"trainer": trainer, "report": programme.report(trainer)})


@dataclasses.dataclass
class Endpoint:
    """One endpoint (or one access-relevant variant of it)."""

    method: str
    path: str
    expected: dict[str, int]
    body: Callable[[World], dict | None] = lambda _w: None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


MODULE = "/trainers/{trainer}/modules/M1"
ENDPOINTS = [
    Endpoint("GET", "/trainers", LIST),
    Endpoint("POST", "/trainers", REGISTER, lambda _w: profile()),
    Endpoint("GET", "/trainers/{trainer}", READ),
    Endpoint("PATCH", "/trainers/{trainer}", OWN_WRITE,
             lambda w: {"organisation": f"Lembaga {w.cell}"}),
    Endpoint("PUT", "/trainers/{trainer}/expert-modules", ADMIN_ONLY,
             lambda _w: {"modules": ["M1"]}),
    Endpoint("GET", MODULE + "/assessment", READ),
    Endpoint("GET", MODULE + "/evidence", READ),
    Endpoint("POST", MODULE + "/tot", {**ADMIN_ONLY, "platform_admin": 201},
             lambda w: {"reference": f"TOT-{w.cell}", "attended_on": "2025-01-15"}),
    Endpoint("GET", MODULE + "/reports", READ),
    Endpoint("POST", MODULE + "/reports", REPORT,
             lambda _w: {"title": "Laporan", "body": "Co-delivered the classroom days."}),
    Endpoint("GET", "/reports/{report}", READ),
    Endpoint("POST", "/reports/{report}/accept", REVIEW, lambda _w: {"comments": "Good."}),
    Endpoint("POST", "/reports/{report}/reject", REVIEW, lambda _w: {"comments": "Thin."}),
    Endpoint("GET", MODULE + "/recommendations", READ),
    Endpoint("POST", MODULE + "/recommendations", RECOMMEND,
             lambda _w: {"decision": "decline", "comments": "More visits first."}),
    Endpoint("POST", MODULE + "/withdraw", ADMIN_ONLY, lambda _w: {"reason": "left"}),
    # Past the role check, the certifier is refused by the evidence (409), not by access.
    Endpoint("POST", MODULE + "/certify", {**ADMIN_ONLY, "platform_admin": 409},
             lambda _w: {}),
    *(Endpoint("POST", MODULE + f"/{action}", {**ADMIN_ONLY, "platform_admin": 409},
               lambda _w: {"reason": "audit"})
      for action in ("suspend", "reinstate", "revoke", "recertify")),
]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, signing_key):
    """One app for the whole matrix; every write cell builds its own rows in it."""
    directory = tmp_path_factory.mktemp("matrix")
    url = migrated_sqlite(certification.runtime(), directory)
    app = certification.create_app(base_config(directory, signing_key, database_url=url))
    programme = Programme(app, lambda role, org=None, org_type=None, **kw: bearer(
        signing_key, role, org, org_type, **kw))
    people = {"expert": programme.expert(("M1",)), "expert_other": programme.expert(("M3",)),
              "trainer_other": programme.trainer(modules_of_interest=["M2"])}
    yield app, programme, people, _world(programme)  # reads change nothing: one world
    app.extensions["score_db"].dispose()


def _headers(caller: str, world: World, people: dict[str, str], key) -> dict:
    if caller in people:
        return bearer(key, "trainer", people[caller], "trainer", subject=people[caller])
    own = world.ids["trainer"]
    return {
        "anonymous": {},
        "trainer_own": bearer(key, "trainer", own, "trainer", subject=own),
        "trainer_new": bearer(key, "trainer", subject=f"new-{world.cell}"),
        "provider_own": bearer(key, "provider_staff", "prov-1", "provider", subject="p-1"),
        "provider_foreign": bearer(key, "provider_staff", "prov-2", "provider", subject="p-2"),
        "sme_user": bearer(key, "sme_user", "sme-1", "sme", subject="sme-1"),
        "ilo_auditor": bearer(key, "ilo_auditor", subject="auditor-1"),
        "platform_admin": bearer(key, "platform_admin", "platform", subject="admin-1"),
    }[caller]


def _state(db, world: World) -> tuple:
    """Everything a denied request must leave as it was."""
    with db.reading() as session:
        trainer = session.get(Trainer, world.ids["trainer"])
        statuses = tuple(session.execute(select(ModuleStatus.module_code, ModuleStatus.status)
                                         .where(ModuleStatus.trainer_id == trainer.id)))
        report = session.scalar(select(ProgressReport.status)
                                .where(ProgressReport.id == world.ids["report"]))
        profile_now = (trainer.organisation, tuple(trainer.expert_modules))
    return tuple(sorted(written(db).items())), statuses, report, profile_now


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_authorisation_matrix(matrix, signing_key, endpoint, caller):
    app, programme, people, shared = matrix
    db = app.extensions["score_db"]
    world = shared if endpoint.method == "GET" else _world(programme)
    path = endpoint.path.format(**world.ids)
    before = _state(db, world)
    response = app.test_client().open(path, method=endpoint.method, json=endpoint.body(world),
                                      headers=_headers(caller, world, people, signing_key))
    expected = endpoint.expected[caller]
    assert response.status_code == expected, (caller, str(endpoint), response.get_json())
    if expected >= 400:
        assert response.mimetype == "application/problem+json"
        assert _state(db, world) == before, "a denied request changed something"
    elif endpoint.method != "GET":
        assert _state(db, world) != before, "an allowed command changed nothing"


# -- what each caller finds in the list ----------------------------------------------------

LISTED = {"trainer_own": True, "trainer_other": False, "trainer_new": False, "expert": True,
          "expert_other": False, "provider_own": True, "provider_foreign": False,
          "sme_user": False, "ilo_auditor": True, "platform_admin": True}


@pytest.mark.parametrize("caller", sorted(LISTED))
def test_the_list_holds_exactly_what_the_caller_may_read(matrix, signing_key, caller):
    app, _programme, people, world = matrix
    headers = _headers(caller, world, people, signing_key)
    listed = {t["id"] for t in every_item(app.test_client(), "/trainers", headers)}

    assert (world.ids["trainer"] in listed) is LISTED[caller]
