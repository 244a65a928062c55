"""The sponsorship saga across services on real Kafka and PostgreSQL.

Catalog publishes a session; enrolment registers an SME; sponsorship learns both
from the broker. At checkout enrolment asks sponsorship for a quote over HTTP
(the SME's token forwarded) and bills the SME's share; enrolment's events then
commit, release or reverse the reservation:

- paid → committed; cancelled after payment → reversed;
- the hold lapses → released;
- sponsorship too slow at checkout → the SME pays the full price, and the
  reservation sponsorship made meanwhile is released when the enrolment is
  confirmed at full price: nothing is left behind.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest
from sqlalchemy import select

from services import catalog, enrolment, sponsorship
from services.enrolment.models import OfferedSession
from services.enrolment.service import expiry
from services.sponsorship.models import Reservation, SessionFacts, SmeFacts
from tests.catalog.builders import Builder
from tests.enrolment.builders import register_sme, team
from tests.support.flows import eventually, serving, workers

pytestmark = pytest.mark.integration

PRICE = 2_500_000  # catalog's builder's price per participant
TEAM = 4


class Slow:
    """WSGI middleware: answers ``delay_s`` late (after the app has done its work)."""

    def __init__(self, app) -> None:
        self.app, self.delay_s = app, 0.0

    def __call__(self, environ, start_response):
        body = self.app(environ, start_response)
        time.sleep(self.delay_s)
        return body


@pytest.fixture
def market(postgres, kafka_bootstrap, app_config):
    """Catalog, enrolment and sponsorship on their own databases, on Kafka; sponsorship on HTTP."""
    names = [f"saga_{uuid.uuid4().hex[:12]}" for _ in range(3)]
    urls = [postgres.create_database(name) for name in names]
    kafka = {"bus": "kafka", "kafka_bootstrap": kafka_bootstrap, "auto_migrate": True}
    sponsorship_app = sponsorship.create_app(app_config(database_url=urls[2], **kafka))
    slow = Slow(sponsorship_app.wsgi_app)
    sponsorship_app.wsgi_app = slow
    with serving(sponsorship_app) as url:
        apps = {"catalog": catalog.create_app(app_config(database_url=urls[0], **kafka)),
                "enrolment": enrolment.create_app(app_config(
                    database_url=urls[1], **kafka, sponsorship_url=url,
                    sponsorship_timeout_s=1.0)),
                "sponsorship": sponsorship_app, "slow": slow}
        try:
            yield apps
        finally:
            for name, db_name in zip(("catalog", "enrolment", "sponsorship"), names,
                                     strict=True):
                apps[name].extensions["score_db"].dispose()
                postgres.drop_database(db_name)


def _world(market, auth):
    """A published session, an SME, and a sponsor paying 50 % from a 100 M fund."""
    build = Builder(market["catalog"].extensions["score_db"])
    provider = build.provider()
    ts = build.session(build.course(provider), capacity=30)
    policy = market["enrolment"].extensions["enrolment_policy"]
    enrolment_db = market["enrolment"].extensions["score_db"]
    smes = [register_sme(enrolment_db, policy, subject=f"owner-{n}") for n in range(2)]
    client = market["sponsorship"].test_client()
    registered = client.post("/sponsors", json={
        "name": "Kemnaker", "kind": "ministry", "contact_name": "Ibu Rina",
        "contact_email": "rina@kemnaker.example", "contact_phone": "+62 21 555 0100"},
        headers=auth("sponsor_staff", subject="rina"))
    sponsor_id = registered.json["id"]
    assert client.post(f"/sponsors/{sponsor_id}/approve", json={},
                       headers=auth("platform_admin", "platform")).status_code == 200
    staff = auth("sponsor_staff", sponsor_id, "sponsor")
    today = dt.date.today()
    fund = client.post(f"/sponsors/{sponsor_id}/funds", json={
        "name": "APBN 2026", "unit": "IDR", "valid_from": (today - dt.timedelta(days=30))
        .isoformat(), "valid_until": (today + dt.timedelta(days=300)).isoformat(),
        "initial_deposit": {"amount": 100_000_000, "reference": "DIPA-2026-01"}},
        headers=staff)
    assert fund.status_code == 201, fund.json
    offer = client.post(f"/funds/{fund.json['id']}/offers", json={
        "title": "Half of SCORE for every SME", "rules": {"share_percent": 50}}, headers=staff)
    assert client.post(f"/offers/{offer.json['id']}/publish", headers=staff).status_code == 200
    return {"provider": provider, "session": ts, "smes": smes, "fund": fund.json["id"],
            "staff": staff}


def _known(market, world) -> bool:
    """Sponsorship and enrolment have learnt the session and the SMEs from the broker."""
    with market["sponsorship"].extensions["score_db"].reading() as session:
        facts = (session.get(SessionFacts, world["session"].id) is not None
                 and all(session.get(SmeFacts, sme) for sme in world["smes"]))
    with market["enrolment"].extensions["score_db"].reading() as session:
        return facts and session.get(OfferedSession, world["session"].id) is not None


def _reservation(market, enrolment_id: str) -> Reservation | None:
    with market["sponsorship"].extensions["score_db"].reading() as session:
        return session.scalar(select(Reservation).where(Reservation.enrolment_id == enrolment_id))


def _status(market, enrolment_id: str) -> str | None:
    found = _reservation(market, enrolment_id)
    return found.status if found else None


def _balance(market, world) -> dict:
    response = market["sponsorship"].test_client().get(f"/funds/{world['fund']}",
                                                       headers=world["staff"])
    return response.json["balance"]


def _enrol_and_invoice(market, auth, world, sme_id: str):
    client = market["enrolment"].test_client()
    sme = auth("sme_user", sme_id, "sme")
    held = client.post(f"/sessions/{world['session'].id}/enrolments",
                       json={"participants": team(TEAM)}, headers=sme)
    assert held.status_code == 201, held.json
    invoice = client.post(f"/enrolments/{held.json['id']}/invoice", headers=sme)
    assert invoice.status_code == 201, invoice.json
    return held.json["id"], invoice.json, sme


def _confirm(market, world, invoice: dict, auth) -> None:
    staff = auth("provider_staff", world["provider"].id, "provider")
    receipt = {"amount_received": invoice["amount"], "received_on": dt.date.today().isoformat(),
               "bank_reference": f"BCA {uuid.uuid4().hex[:6]}"}
    confirmed = market["enrolment"].test_client().post(
        f"/invoices/{invoice['id']}/confirm", json=receipt, headers=staff)
    assert confirmed.status_code == 200, confirmed.json


def test_paid_commits_the_sponsor_share_and_a_cancellation_reverses_it(market, auth):
    world = _world(market, auth)
    with workers(market["catalog"], "catalog"), workers(market["enrolment"], "enrolment"), \
            workers(market["sponsorship"], "sponsorship"):
        eventually(lambda: _known(market, world), "every service knows the session and SMEs")

        enrolment_id, invoice, sme = _enrol_and_invoice(market, auth, world, world["smes"][0])
        assert invoice["amount"] == TEAM * PRICE // 2
        assert _status(market, enrolment_id) == "reserved"
        assert _balance(market, world)["reserved"] == TEAM * PRICE // 2

        _confirm(market, world, invoice, auth)
        eventually(lambda: _status(market, enrolment_id) == "committed", "committed")
        assert _balance(market, world) | {} == {
            "deposited": 100_000_000, "adjusted": 0, "reserved": 0,
            "committed": TEAM * PRICE // 2, "available": 100_000_000 - TEAM * PRICE // 2}

        cancelled = market["enrolment"].test_client().post(
            f"/enrolments/{enrolment_id}/cancel", json={"reason": "the owner fell ill"},
            headers=sme)
        assert cancelled.status_code == 200, cancelled.json
        eventually(lambda: _status(market, enrolment_id) == "reversed", "reversed")
        assert _balance(market, world)["available"] == 100_000_000


def test_a_lapsed_hold_releases_and_a_slow_sponsorship_leaves_nothing_behind(
        market, auth, clock):
    world = _world(market, auth)
    with workers(market["catalog"], "catalog"), workers(market["enrolment"], "enrolment"), \
            workers(market["sponsorship"], "sponsorship"):
        eventually(lambda: _known(market, world), "every service knows the session and SMEs")

        lapsing, _invoice, _sme = _enrol_and_invoice(market, auth, world, world["smes"][0])
        assert _status(market, lapsing) == "reserved"

        market["slow"].delay_s = 2.0  # past enrolment's 1 s timeout
        slow, invoice, _sme = _enrol_and_invoice(market, auth, world, world["smes"][1])
        market["slow"].delay_s = 0.0
        assert invoice["amount"] == TEAM * PRICE  # the full price: no answer in time
        assert _status(market, slow) == "reserved"  # made, but too late to be used
        _confirm(market, world, invoice, auth)
        eventually(lambda: _status(market, slow) == "released",
                   "the reservation enrolment never used is released")

        clock.advance(days=10)  # past the lapsing invoice's due date
        policy = market["enrolment"].extensions["enrolment_policy"]
        assert expiry.reap(market["enrolment"].extensions["score_db"], policy) == 1
        eventually(lambda: _status(market, lapsing) == "released", "released on expiry")
        assert _balance(market, world) | {} == {
            "deposited": 100_000_000, "adjusted": 0, "reserved": 0, "committed": 0,
            "available": 100_000_000}
