"""The authorisation matrix: every endpoint × every kind of caller, one cell per test.

Sponsors are tenants: a sponsor's staff see and change only their own funds, offers
and ledger, and what they pay for; foreign rows look absent (404). An SME sees and
quotes only for itself; a provider sees the reservations of its sessions; the ILO
auditor reads everything and writes nothing; anonymous callers read only what is
public (approved sponsors, published offers). Write cells get fresh rows, so an
allowed write really succeeds and a denied one is proven to change nothing.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable

import pytest
from sqlalchemy import select

from services import sponsorship
from services.sponsorship.models import Fund, Offer, Reservation, Sponsor
from tests.sponsorship.builders import Market, hold
from tests.sponsorship.conftest import written
from tests.support.apps import base_config, bearer, migrated_sqlite
from tests.support.paging import every_item

CALLERS = ["anonymous", "staff_own", "staff_foreign", "staff_new", "sme_own", "sme_foreign",
           "provider_own", "provider_foreign", "ilo_auditor", "platform_admin"]
_cells = itertools.count()


def _expect(default: int, **cells: int) -> dict[str, int]:
    return {caller: cells.get(caller, default) for caller in CALLERS}


PUBLIC = _expect(200)
PRIVATE_ITEM = _expect(404, staff_own=200, ilo_auditor=200, platform_admin=200)
SPONSOR_READ = _expect(403, anonymous=401, staff_own=200, staff_foreign=404, staff_new=404,
                       ilo_auditor=200, platform_admin=200)
ADMIN_WRITE = _expect(403, anonymous=401, platform_admin=200)
REGISTER = _expect(403, anonymous=401, staff_new=201)
RESERVATION_ITEM = _expect(404, anonymous=401, staff_own=200, sme_own=200, provider_own=200,
                           ilo_auditor=200, platform_admin=200)
RESERVATION_LIST = _expect(200, anonymous=401)
PREVIEW = _expect(403, anonymous=401, sme_own=200, sme_foreign=404, platform_admin=200)
RESERVE = _expect(403, anonymous=401, sme_own=201, sme_foreign=404)


def staff_write(ok: int = 200) -> dict[str, int]:
    """Own staff may; other sponsors' staff see nothing (404); other roles: 403."""
    return _expect(403, anonymous=401, staff_own=ok, staff_foreign=404, staff_new=404)


@dataclasses.dataclass
class World:
    """Rows one cell acts on; ``own`` is the sponsor whose staff is ``staff_own``."""

    own: str
    ids: dict[str, str]
    cell: int = dataclasses.field(default_factory=lambda: next(_cells))


def _world(market: Market) -> World:
    own = market.sponsor()
    fund = market.fund(own)
    offer = market.offer(own, fund)
    draft = market.offer(own, fund, publish=False)
    pending = market.client.post("/sponsors", json=_sponsor_body(), headers=market.auth(
        "sponsor_staff", subject=f"pending-{next(_cells)}")).get_json()["id"]
    session = market.session()["session_id"]
    sme = market.sme()["sme_id"]
    reserved = market.quote(sme, session, reserve=hold()).get_json()["reservation"]["id"]
    return World(own, {"sponsor": own, "fund": fund, "offer": offer, "draft": draft,
                       "pending": pending, "session": session, "sme": sme,
                       "reservation": reserved})


def _sponsor_body() -> dict:
    return {"name": "Asosiasi Tekstil", "kind": "association", "contact_name": "Ibu Dewi",
            "contact_email": "dewi@asosiasi.example", "contact_phone": "+62 22 555 0199"}


def _quote(w: World, reserve: bool = False) -> dict:
    body = {"sme_id": w.ids["sme"], "session_id": w.ids["session"],
            "team": {"participants": 2, "managers": 1, "workers": 1, "women": 1, "men": 1}}
    if reserve:
        body["reserve"] = hold()
    return body


@dataclasses.dataclass
class Endpoint:
    """One endpoint (or one access-relevant variant of it)."""

    method: str
    path: str
    expected: dict[str, int]
    body: Callable[[World], dict | None] = lambda _w: None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ENDPOINTS = [
    Endpoint("GET", "/sponsors", PUBLIC),
    Endpoint("POST", "/sponsors", REGISTER, lambda _w: _sponsor_body()),
    Endpoint("GET", "/sponsors/{sponsor}", PUBLIC),
    Endpoint("GET", "/sponsors/{pending}", _expect(404, ilo_auditor=200, platform_admin=200)),
    Endpoint("PATCH", "/sponsors/{sponsor}", staff_write(),
             lambda _w: {"contact_name": "Pak Joko"}),
    Endpoint("POST", "/sponsors/{pending}/approve", ADMIN_WRITE, lambda _w: {}),
    Endpoint("POST", "/sponsors/{sponsor}/suspend", ADMIN_WRITE, lambda _w: {"reason": "audit"}),
    Endpoint("GET", "/sponsors/{sponsor}/funds", SPONSOR_READ),
    Endpoint("POST", "/sponsors/{sponsor}/funds", staff_write(201), lambda _w: {
        "name": "Hibah 2026", "unit": "seats", "valid_from": "2026-01-01",
        "valid_until": "2026-12-31"}),
    Endpoint("GET", "/funds/{fund}", SPONSOR_READ),
    Endpoint("POST", "/funds/{fund}/deposits", staff_write(201),
             lambda w: {"amount": 1_000_000, "reference": f"DEP-{w.cell}"}),
    Endpoint("POST", "/funds/{fund}/adjustments", staff_write(201),
             lambda w: {"amount": -1, "reference": f"ADJ-{w.cell}", "reason": "fee"}),
    Endpoint("POST", "/funds/{fund}/close", staff_write(), lambda _w: {"reason": "ended"}),
    Endpoint("GET", "/funds/{fund}/transactions", SPONSOR_READ),
    Endpoint("POST", "/funds/{fund}/offers", staff_write(201),
             lambda _w: {"title": "Half for micro firms", "rules": {"size_classes": ["micro"]}}),
    Endpoint("GET", "/offers", PUBLIC),
    Endpoint("GET", "/offers/{offer}", PUBLIC),
    Endpoint("GET", "/offers/{draft}", PRIVATE_ITEM),
    Endpoint("POST", "/offers/{draft}/publish", staff_write()),
    Endpoint("POST", "/offers/{offer}/withdraw", staff_write(), lambda _w: {"reason": "ended"}),
    Endpoint("POST", "/quotes", PREVIEW, _quote),
    Endpoint("POST", "/quotes#reserve", RESERVE, lambda w: _quote(w, reserve=True)),
    Endpoint("GET", "/reservations", RESERVATION_LIST),
    Endpoint("GET", "/reservations/{reservation}", RESERVATION_ITEM),
]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, signing_key):
    """One app for the whole matrix; every write cell builds its own rows in it."""
    directory = tmp_path_factory.mktemp("matrix")
    url = migrated_sqlite(sponsorship.runtime(), directory)
    app = sponsorship.create_app(base_config(directory, signing_key, database_url=url))
    market = Market(app, lambda role, org=None, org_type=None, **kw: bearer(
        signing_key, role, org, org_type, **kw))
    foreign = market.sponsor("Foreign donor", "donor")
    yield app, market, foreign, _world(market)  # reads change nothing: one shared world
    app.extensions["score_db"].dispose()


def _headers(caller: str, world: World, foreign: str, key) -> dict:
    return {
        "anonymous": {},
        "staff_own": bearer(key, "sponsor_staff", world.own, "sponsor", subject="own-1"),
        "staff_foreign": bearer(key, "sponsor_staff", foreign, "sponsor", subject="for-1"),
        "staff_new": bearer(key, "sponsor_staff", subject=f"new-{world.cell}"),
        "sme_own": bearer(key, "sme_user", world.ids["sme"], "sme", subject="sme-1"),
        "sme_foreign": bearer(key, "sme_user", "sme-foreign", "sme", subject="sme-2"),
        "provider_own": bearer(key, "provider_staff", "prov-1", "provider", subject="p-1"),
        "provider_foreign": bearer(key, "provider_staff", "prov-2", "provider", subject="p-2"),
        "ilo_auditor": bearer(key, "ilo_auditor", subject="auditor-1"),
        "platform_admin": bearer(key, "platform_admin", "platform", subject="admin-1"),
    }[caller]


def _state(db, world: World) -> tuple:
    """Everything a denied request must leave as it was."""
    models = {"sponsor": Sponsor, "pending": Sponsor, "fund": Fund, "offer": Offer,
              "draft": Offer, "reservation": Reservation}
    with db.reading() as session:
        rows = tuple((name, session.scalar(select(model.status).where(
            model.id == world.ids[name]))) for name, model in sorted(models.items()))
        contact = session.scalar(select(Sponsor.contact_name).where(Sponsor.id == world.own))
    return tuple(sorted(written(db).items())), rows, contact


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_authorisation_matrix(matrix, signing_key, endpoint, caller):
    app, market, foreign, shared = matrix
    db = app.extensions["score_db"]
    world = shared if endpoint.method == "GET" else _world(market)
    path = endpoint.path.split("#")[0].format(**world.ids)
    before = _state(db, world)
    response = app.test_client().open(path, method=endpoint.method, json=endpoint.body(world),
                                      headers=_headers(caller, world, foreign, signing_key))
    expected = endpoint.expected[caller]
    assert response.status_code == expected, (caller, str(endpoint), response.get_json())
    if expected >= 400:
        assert response.mimetype == "application/problem+json"
        assert _state(db, world) == before, "a denied request changed something"
    elif endpoint.method != "GET" and endpoint.path != "/quotes":
        assert _state(db, world) != before, "an allowed command changed nothing"


# -- what each caller sees in the lists ---------------------------------------------------

VISIBLE_RESERVATION = {"anonymous": None, "staff_own": True, "staff_foreign": False,
                       "staff_new": False, "sme_own": True, "sme_foreign": False,
                       "provider_own": True, "provider_foreign": False, "ilo_auditor": True,
                       "platform_admin": True}


@pytest.mark.parametrize("caller", CALLERS)
def test_each_caller_lists_only_the_reservations_it_may_see(matrix, signing_key, caller):
    app, _market, foreign, world = matrix
    headers = _headers(caller, world, foreign, signing_key)
    if VISIBLE_RESERVATION[caller] is None:
        assert app.test_client().get("/reservations", headers=headers).status_code == 401
        return
    ids = {r["id"] for r in every_item(app.test_client(), "/reservations", headers)}
    assert (world.ids["reservation"] in ids) is VISIBLE_RESERVATION[caller]
    if caller in ("staff_foreign", "staff_new", "sme_foreign", "provider_foreign"):
        assert ids == set()


@pytest.mark.parametrize("caller", CALLERS)
def test_each_caller_lists_drafts_only_of_its_own_sponsor(matrix, signing_key, caller):
    app, _market, foreign, world = matrix
    headers = _headers(caller, world, foreign, signing_key)
    ids = {o["id"] for o in every_item(app.test_client(), "/offers", headers, status="draft")}
    sees = caller in ("staff_own", "ilo_auditor", "platform_admin")
    assert (world.ids["draft"] in ids) is sees
    published = {o["id"] for o in every_item(app.test_client(), "/offers", headers)}
    assert world.ids["offer"] in published and world.ids["draft"] not in published


def test_a_sponsors_filter_cannot_widen_what_its_staff_see(matrix, signing_key):
    app, _market, foreign, world = matrix
    nosy = _headers("staff_foreign", world, foreign, signing_key)
    listed = app.test_client().get(f"/reservations?sponsor_id={world.own}", headers=nosy)
    assert listed.get_json()["items"] == []
    sme = _headers("sme_foreign", world, foreign, signing_key)
    listed = app.test_client().get(f"/reservations?sme_id={world.ids['sme']}", headers=sme)
    assert listed.get_json()["items"] == []
