"""Enrolment's demo seed, on what catalog's and identity's seeds provide: every state, once."""

from __future__ import annotations

import collections

import pytest
from sqlalchemy import func, select

from services import catalog
from services.catalog import seed as catalog_seed
from services.enrolment.models import (
    AttendanceMark,
    Enrolment,
    KpiReport,
    Notification,
    OfferedSession,
    Participant,
    Payment,
    Sme,
    Visit,
)
from services.enrolment.seed import seed_demo
from services.enrolment.service import kpis
from shared.auth import Principal
from shared.config import load_settings
from shared.db import Database
from shared.events.tables import outbox
from shared.seeding import SeedContext, SeedResult
from tests.catalog.builders import certification_seeded
from tests.enrolment.delivery import published_events
from tests.support.apps import migrated_sqlite


@pytest.fixture
def catalog_db(tmp_path):
    """Catalog's database, seeded as ``score run`` seeds it."""
    (tmp_path / "catalog").mkdir()
    db = Database(migrated_sqlite(catalog.runtime(), tmp_path / "catalog"))
    yield db
    db.dispose()


@pytest.fixture
def context(app, catalog_db, tmp_path):
    """What ``score run`` hands enrolment's seed: identity's SME owners, catalog's sessions."""
    settings = load_settings("catalog", {"database_url": "sqlite://"}, environ={})
    identity = SeedResult(provides={"provider_staff": {"bedo": "staff-bedo"},
                                    "sme_users": {"owner@sme.example": "user-owner"}})
    (tmp_path / "certification").mkdir()
    trainers = certification_seeded(tmp_path / "certification")
    provided = catalog_seed.seed_demo(catalog_db, SeedContext(
        settings, {"identity": identity, "certification": trainers}))
    return SeedContext(app.extensions["score_settings"],
                       {"identity": identity, "catalog": provided})


def count(db, model, *where) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_the_seed_creates_enrolments_in_every_state_through_the_use_cases(db, context):
    created = seed_demo(db, context).created
    assert created["SMEs"] == 8 and created["enrolments"] >= 10
    with db.reading() as session:
        statuses = collections.Counter(session.scalars(select(Enrolment.status)))
        provinces = set(session.scalars(select(Sme.province_code)))
        genders = set(session.scalars(select(Participant.gender)))
        owner = session.scalar(select(Sme).where(Sme.registered_by == "user-owner"))
        sessions = session.scalars(select(OfferedSession)).all()
        enrolments = session.scalars(select(Enrolment)).all()
    assert set(statuses) == {"held", "awaiting_payment", "confirmed", "completed", "cancelled",
                             "expired"}
    assert len(provinces) == 8 and genders == {"female", "male"}
    assert owner is not None and owner.legal_name == "CV Tenun Nusantara"
    assert len(sessions) == len(context.provided("catalog")["sessions"])
    for offered in sessions:  # the counters agree with the enrolments holding seats
        mine = [e for e in enrolments if e.session_id == offered.id]
        assert offered.seats_held == sum(e.participants_count for e in mine
                                         if e.status in ("held", "awaiting_payment"))
        assert offered.seats_confirmed == sum(e.participants_count for e in mine
                                              if e.status in ("confirmed", "completed"))


def test_delivered_sessions_have_attendance_completions_visits_and_kpis(db, policy, context):
    created = seed_demo(db, context).created
    assert created["attendance days"] >= 12 and created["visits"] >= 12
    assert count(db, AttendanceMark, AttendanceMark.present.is_(False)) >= 1
    assert count(db, Participant, Participant.completed.is_(True)) >= 10
    assert count(db, Participant, Participant.completed.is_(False)) >= 1
    assert {e["status"] for e in published_events(db, "enrolment.completed")} == {"completed"}
    assert count(db, Visit, Visit.status == "recorded") >= 6
    assert count(db, Visit, Visit.status == "scheduled") >= 6
    assert count(db, Payment, Payment.status == "paid") >= 7
    assert count(db, KpiReport, KpiReport.version == 2) == 1
    assert count(db, Notification, Notification.template == "invoice") >= 8
    with db.reading() as session:
        tenun = session.scalar(select(Sme.id).where(Sme.registered_by == "user-owner"))
    report = kpis.summary(db, Principal("user-owner", "sme_user", tenun, "sme"), policy, tenun)
    productivity = next(k for k in report["kpis"] if k["kpi"] == "productivity")
    assert productivity["baseline"]["version"] == 2 and productivity["improved"] is True


def test_a_second_run_creates_nothing(db, context):
    seed_demo(db, context)
    with db.reading() as session:
        events = session.scalar(select(func.count()).select_from(outbox))
    assert seed_demo(db, context).created == {}
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(outbox)) == events


def test_catalogs_events_arriving_later_change_nothing(db, context, catalog_db, catalog):
    seed_demo(db, context)
    with db.reading() as session:
        before = dict(session.execute(select(Enrolment.id, Enrolment.status)).all())
        events = session.scalar(select(func.count()).select_from(outbox))
    with catalog_db.reading() as session:
        sent = list(session.scalars(select(outbox.c.payload).where(
            outbox.c.type.like("score.catalog.session.%")).order_by(outbox.c.id)))
    assert set(catalog.deliver(*sent)) == {"applied"}
    with db.reading() as session:
        assert dict(session.execute(select(Enrolment.id, Enrolment.status)).all()) == before
        assert session.scalar(select(func.count()).select_from(outbox)) == events
