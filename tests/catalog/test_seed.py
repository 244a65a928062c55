"""Demo seed data: real provider names, all five modules, ~40 upcoming sessions."""

import pytest
from sqlalchemy import func, select

from services.catalog import rules
from services.catalog.models import Course, Provider, TrainingSession
from services.catalog.seed import seed_demo
from shared.seeding import SeedContext, SeedResult
from tests.catalog.conftest import count_rows, outbox_types

NAMES = {"BEDO", "SMI", "Universitas Katolik Parahyangan", "APP Politeknik Jakarta",
         "BLK Semarang 2", "Karya Dua Perempuan", "Riwani Globe", "Pro Serve Indonesia"}


@pytest.fixture
def context(app):
    """What ``score run`` hands the catalog's seed: identity's demo staff for BEDO only."""
    identity = SeedResult(provides={"provider_staff": {"bedo": "user-7"}})
    return SeedContext(app.extensions["score_settings"], {"identity": identity})


def test_the_demo_seed_fills_a_searchable_catalog_once_registered_by_identitys_staff(
        client, db, context):
    created = seed_demo(db, context).created
    assert created["providers"] == 8
    with db.reading() as session:
        providers = session.scalars(select(Provider)).all()
        modules = set(session.scalars(select(Course.module_code).distinct()))
        provinces = set(session.scalars(select(TrainingSession.province_code).distinct()))
        published = session.scalar(select(func.count()).select_from(TrainingSession)
                                   .where(TrainingSession.status == "published"))
    assert {p.legal_name for p in providers} == NAMES
    registrants = {p.legal_name: p.registered_by for p in providers}
    assert registrants["BEDO"] == "user-7" and registrants["SMI"] == "demo-smi"
    assert all(p.status == "approved" and rules.normalise_npwp(p.npwp) == p.npwp
               for p in providers)
    assert modules == {"M1", "M2", "M3", "M4", "M5"}
    assert len(provinces) >= 5
    assert 30 <= published == created["sessions"] <= 50
    r = client.get("/sessions", query_string={"limit": 100})
    assert len(r.json["items"]) == published
    assert len(set(outbox_types(db))) == 4  # registered, approved, course & session published
    counts = (count_rows(db, Provider), count_rows(db, Course), count_rows(db, TrainingSession))
    assert seed_demo(db, context).summary() == "nothing new"
    assert (count_rows(db, Provider), count_rows(db, Course),
            count_rows(db, TrainingSession)) == counts


def test_the_demo_seed_does_nothing_once_providers_exist(db, build, context):
    build.provider()
    events = outbox_types(db)
    assert seed_demo(db, context).created == {"providers": 0, "courses": 0, "sessions": 0}
    assert count_rows(db, Provider) == 1
    assert outbox_types(db) == events

