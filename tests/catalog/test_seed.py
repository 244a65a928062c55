"""Demo seed data: real provider names, all five modules, ~40 upcoming sessions."""

from sqlalchemy import func, select

from services.catalog import rules
from services.catalog.models import Course, Provider, TrainingSession
from services.catalog.seed import seed_demo
from tests.catalog.conftest import count_rows, outbox_types

NAMES = {"BEDO", "SMI", "Universitas Katolik Parahyangan", "APP Politeknik Jakarta",
         "BLK Semarang 2", "Karya Dua Perempuan", "Riwani Globe", "Pro Serve Indonesia"}


def test_the_demo_seed_fills_a_searchable_catalog(client, db):
    created = seed_demo(db)
    assert created["providers"] == 8
    with db.reading() as session:
        providers = session.scalars(select(Provider)).all()
        modules = set(session.scalars(select(Course.module_code).distinct()))
        provinces = set(session.scalars(select(TrainingSession.province_code).distinct()))
        published = session.scalar(select(func.count()).select_from(TrainingSession)
                                   .where(TrainingSession.status == "published"))
    assert {p.legal_name for p in providers} == NAMES
    assert all(p.status == "approved" and rules.normalise_npwp(p.npwp) == p.npwp
               for p in providers)
    assert modules == {"M1", "M2", "M3", "M4", "M5"}
    assert len(provinces) >= 5
    assert 30 <= published == created["sessions"] <= 50
    r = client.get("/sessions", query_string={"limit": 100})
    assert len(r.json["items"]) == published
    assert len(set(outbox_types(db))) == 4  # registered, approved, course & session published


def test_the_demo_seed_does_nothing_once_providers_exist(db, build):
    build.provider()
    events = outbox_types(db)
    assert seed_demo(db) == {"providers": 0, "courses": 0, "sessions": 0}
    assert count_rows(db, Provider) == 1
    assert outbox_types(db) == events


def test_seeding_twice_creates_the_catalog_once(db):
    seed_demo(db)
    counts = (count_rows(db, Provider), count_rows(db, Course), count_rows(db, TrainingSession))
    seed_demo(db)
    assert (count_rows(db, Provider), count_rows(db, Course),
            count_rows(db, TrainingSession)) == counts


def test_the_demo_providers_can_be_registered_by_known_users(db):
    seed_demo(db, registrants={"bedo": "user-7"})
    with db.reading() as session:
        by_name = dict(session.execute(select(Provider.legal_name,
                                              Provider.registered_by)).all())
    assert by_name["BEDO"] == "user-7"
    assert by_name["SMI"] == "demo-smi"
