"""Demo seed data: real provider names, all five modules, ~40 upcoming sessions and a few
delivered ones; what the seed provides to enrolment's."""

import pytest
from sqlalchemy import func, select

from services.catalog import events, rules
from services.catalog.models import Course, KnownTrainer, Provider, TrainingSession
from services.catalog.seed import PROVIDERS, seed_demo
from shared import clock
from shared.seeding import SeedContext, SeedResult
from tests.catalog.builders import certification_seeded
from tests.catalog.conftest import count_rows, outbox_types

NAMES = {"BEDO", "SMI", "Universitas Katolik Parahyangan", "APP Politeknik Jakarta",
         "BLK Semarang 2", "Karya Dua Perempuan", "Riwani Globe", "Pro Serve Indonesia"}


@pytest.fixture(scope="module")
def certification(tmp_path_factory) -> SeedResult:
    """Certification's demo trainers, seeded once for the module."""
    return certification_seeded(tmp_path_factory.mktemp("certification"))


@pytest.fixture
def context(app, certification):
    """What ``score run`` hands the catalog's seed: identity's demo staff for BEDO only,
    certification's demo trainers."""
    identity = SeedResult(provides={"provider_staff": {"bedo": "user-7"}})
    return SeedContext(app.extensions["score_settings"],
                       {"identity": identity, "certification": certification})


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
    # registered, approved, course and session published; delivered: started, completed
    assert len(set(outbox_types(db))) == 6
    counts = (count_rows(db, Provider), count_rows(db, Course), count_rows(db, TrainingSession))
    assert seed_demo(db, context).summary() == "nothing new"
    assert (count_rows(db, Provider), count_rows(db, Course),
            count_rows(db, TrainingSession)) == counts


def test_the_demo_seed_does_nothing_once_providers_exist(db, build, context):
    build.provider()
    events = outbox_types(db)
    assert seed_demo(db, context).created == {"providers": 0, "courses": 0, "sessions": 0,
                                              "delivered sessions": 0}
    assert count_rows(db, Provider) == 1
    assert outbox_types(db) == events



def test_delivered_sessions_were_published_and_run_on_the_days_they_happened(db, context):
    assert seed_demo(db, context).created["delivered sessions"] == 4
    today = clock.today()
    with db.reading() as session:
        delivered = session.scalars(select(TrainingSession).where(
            TrainingSession.status.in_(("in_progress", "completed")))).all()
        assert sorted(ts.status for ts in delivered) == [
            "completed", "completed", "completed", "in_progress"]
        for ts in delivered:
            assert ts.start_date < today and ts.published_at.date() < ts.start_date
            assert (ts.status == "completed") == (ts.end_date < today)


def test_the_seed_provides_every_offered_session_as_its_last_event_and_providers_staff(
        db, context):
    first = seed_demo(db, context).provides
    again = seed_demo(db, context).provides
    assert first == again
    sessions = first["sessions"]
    assert len(sessions) == count_rows(db, TrainingSession)
    assert {s["status"] for s in sessions} == {"published", "in_progress", "completed"}
    assert [s["start_date"] for s in sessions] == sorted(s["start_date"] for s in sessions)
    published = next(s for s in sessions if s["status"] == "published")
    assert events.SESSION_PUBLISHED.validate(published) == published
    assert set(first["provider_staff"].values()) == {"user-7"} | {
        f"demo-{slug}" for slug, *_ in PROVIDERS if slug != "bedo"}


def test_every_demo_session_is_led_by_a_trainer_certified_for_its_module(db, context,
                                                                         certification):
    seed_demo(db, context)
    trainers = {t["trainer_id"]: t for t in certification.provides["trainers"]}
    with db.reading() as session:
        sessions = session.scalars(select(TrainingSession)).all()
        names = {p.id: p.legal_name for p in session.scalars(select(Provider))}
        known = set(session.scalars(select(KnownTrainer.id)))
    assert known == set(trainers)
    for ts in sessions:
        lead = next(t.trainer_id for t in ts.trainers if t.role == "lead")
        assert trainers[lead]["modules"][ts.module_code] == "certified"
        assert trainers[lead]["organisation"] == names[ts.provider_id]  # its own trainer
        assert {t.trainer_id for t in ts.trainers} <= known


def test_the_demo_seed_refuses_to_invent_trainers_when_certification_provided_none(app, db):
    empty = SeedContext(app.extensions["score_settings"],
                        {"identity": SeedResult(), "certification": SeedResult()})
    with pytest.raises(ValueError, match="no demo trainer certified"):
        seed_demo(db, empty)
    assert count_rows(db, Provider) == 0  # nothing half-written
