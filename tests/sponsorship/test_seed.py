"""Sponsorship's demo seed, on what identity's, catalog's and enrolment's seeds provide.

Catalog's real seed provides its sessions; enrolment's demo SMEs are registered
through enrolment's own use case, so their ids (enrolment's ``provided``) and
their ``sme.registered`` payloads are the real ones.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services import catalog, enrolment
from services.catalog import seed as catalog_seed
from services.catalog.seed import SESSION_EVENTS
from services.enrolment import config as enrolment_config
from services.enrolment import events as enrolment_events
from services.enrolment import seed as enrolment_seed
from services.enrolment.seed_data import SMES
from services.enrolment.service import smes
from services.sponsorship.models import Fund, Offer, Sponsor
from services.sponsorship.rules import OfferRules
from services.sponsorship.seed import seed_demo
from services.sponsorship.seed_data import FUNDS, OFFERS, SPONSORS, SUPPLIERS
from shared.auth import Principal
from shared.config import load_settings
from shared.db import Database
from shared.events.tables import outbox
from shared.seeding import SeedContext, SeedResult
from tests.catalog.builders import certification_seeded
from tests.enrolment.delivery import published_events
from tests.sponsorship.builders import team
from tests.support.apps import migrated_sqlite

STAFF = {demo.staff_email: f"user-{demo.key}" for demo in SPONSORS}


@pytest.fixture(scope="module")
def catalog_provided(tmp_path_factory) -> SeedResult:
    """What catalog's demo seed provides (its sessions), seeded once for the module."""
    directory = tmp_path_factory.mktemp("catalog")
    db = Database(migrated_sqlite(catalog.runtime(), directory))
    try:
        settings = load_settings("catalog", {"database_url": "sqlite://"}, environ={})
        trainers = certification_seeded(tmp_path_factory.mktemp("certification"))
        return catalog_seed.seed_demo(db, SeedContext(
            settings, {"identity": SeedResult(), "certification": trainers}))
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def demo_smes(tmp_path_factory) -> tuple[SeedResult, list[dict]]:
    """Enrolment's demo SMEs registered by their owners: what its seed provides, and their
    ``sme.registered`` payloads."""
    directory = tmp_path_factory.mktemp("enrolment")
    db = Database(migrated_sqlite(enrolment.runtime(), directory))
    try:
        settings = load_settings("enrolment", {"database_url": "sqlite://"}, environ={})
        policy = enrolment_config.load_policy(settings)
        for sme in SMES:
            smes.register_sme(db, Principal(f"owner-{sme.key}", "sme_user"), policy,
                              sme.registration())
        return (SeedResult(provides=enrolment_seed.provided(db)),
                published_events(db, "sme.registered"))
    finally:
        db.dispose()


@pytest.fixture
def context(app, catalog_provided, demo_smes) -> SeedContext:
    """What ``score run`` hands sponsorship's seed."""
    identity = SeedResult(provides={"sponsor_staff": STAFF, "platform_admin": "user-admin"})
    return SeedContext(app.extensions["score_settings"], {
        "identity": identity, "catalog": catalog_provided, "enrolment": demo_smes[0]})


def _count(db, model) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_seeding_twice_creates_nothing_the_second_time(db, context, market):
    first = seed_demo(db, context)
    events = _count(db, outbox)

    second = seed_demo(db, context)

    assert first.created == {"sponsors": len(SPONSORS), "funds": len(FUNDS),
                             "deposits": sum(len(f.deposits) for f in FUNDS),
                             "offers": len(OFFERS)}
    assert second.summary() == "nothing new"
    assert _count(db, outbox) == events
    assert (_count(db, Sponsor), _count(db, Fund), _count(db, Offer)) == (
        len(SPONSORS), len(FUNDS), len(OFFERS))
    with db.reading() as session:
        sponsors = session.execute(select(Sponsor.registered_by, Sponsor.status)).all()
    assert sorted(sponsors) == sorted((user, "approved") for user in STAFF.values())
    kemnaker = next(f for f in FUNDS if f.sponsor == "kemnaker")
    with db.reading() as session:
        fund_id = session.scalar(select(Fund.id).where(Fund.name == kemnaker.name))
    sponsor_id = _sponsor_id(db, "kemnaker")
    assert market.balance(sponsor_id, fund_id)["deposited"] == sum(
        amount for amount, _, _ in kemnaker.deposits)


def test_every_rule_kind_appears_in_some_published_offer(db, context, client):
    seed_demo(db, context)

    offers = client.get("/offers", query_string={"limit": 100}).get_json()["items"]

    assert len(offers) == len(OFFERS)
    used = {key for offer in offers for key in offer["rules"]}
    assert used == set(OfferRules().fields)
    assert {kind for offer in offers for kind in offer["rules"].get("sme_cap", {})} == {
        "seats", "amount"}
    assert {offer["stackable"] for offer in offers} == {True, False}
    suppliers = next(o for o in offers if "smes" in o["rules"])
    ids = context.provided("enrolment")["smes"]
    assert suppliers["rules"]["smes"] == [ids[key] for key in SUPPLIERS]


def test_a_demo_sme_gets_a_sponsor_share_once_the_facts_arrive(db, context, market,
                                                              catalog_provided, demo_smes):
    seed_demo(db, context)
    garmen = context.provided("enrolment")["smes"]["garmen"]
    offered = next(s for s in catalog_provided.provides["sessions"]
                   if s["status"] == "published" and s["province_code"] == "35")
    assert market.quote(garmen, offered["session_id"]).status_code == 404  # no facts yet

    payload = next(p for p in demo_smes[1] if p["sme_id"] == garmen)
    market.deliver("score.enrolment", enrolment_events.SME_REGISTERED, garmen, payload)
    market.deliver("score.catalog", SESSION_EVENTS["published"], offered["session_id"],
                   offered)
    body = market.quote(garmen, offered["session_id"], team(4, managers=2, women=3)).get_json()

    price = offered["price_per_participant"] * 4
    assert body["price"] == price
    assert 0 < body["sponsor_share"] <= price
    assert body["sme_share"] == price - body["sponsor_share"]
    assert {line["sponsor_id"] for line in body["applied"]} <= {
        _sponsor_id(db, key) for key in ("kemnaker", "nordic", "garuda")}


def test_an_offer_naming_smes_waits_for_them_and_comes_with_a_later_start(db, app, context):
    without = SeedContext(app.extensions["score_settings"], {
        **context.dependencies, "enrolment": SeedResult()})

    first = seed_demo(db, without)
    later = seed_demo(db, context)

    assert first.created["offers"] == len(OFFERS) - 1
    assert later.created == {"sponsors": 0, "funds": 0, "deposits": 0, "offers": 1}


def _sponsor_id(db, key: str) -> str:
    name = next(s.name for s in SPONSORS if s.key == key)
    with db.reading() as session:
        found = session.scalar(select(Sponsor.id).where(Sponsor.name == name))
    assert found is not None
    return found
