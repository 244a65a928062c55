"""Delivery on real PostgreSQL: the demo seed whole, concurrent attendance and KPI corrections,
exact KPI decimals, and the mailer's rounds."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from services import catalog, enrolment
from services.catalog import seed as catalog_seed
from services.enrolment.config import EnrolmentPolicy, load_policy
from services.enrolment.mail import mailer
from services.enrolment.mail.backends import backend_for
from services.enrolment.mail.settings import load_mail_settings
from services.enrolment.models import (
    AttendanceMark,
    Enrolment,
    KpiReport,
    Notification,
    OfferedSession,
    Sme,
)
from services.enrolment.seed import seed_demo
from services.enrolment.service import attendance, kpis
from shared.auth import Principal
from shared.config import load_settings
from shared.db import Database
from shared.errors import Conflict
from shared.seeding import SeedContext, SeedResult
from tests.catalog.builders import certification_seeded
from tests.support.apps import base_config

pytestmark = pytest.mark.integration


@dataclasses.dataclass
class Seeded:
    db: Database
    context: SeedContext
    result: SeedResult
    policy: EnrolmentPolicy


@pytest.fixture(scope="module")
def seeded(postgres, signing_key, tmp_path_factory):
    """Enrolment's demo seed on PostgreSQL, on catalog's (also on PostgreSQL), once."""
    names = [f"test_{uuid.uuid4().hex[:16]}" for _ in range(2)]
    catalog_db, enrolment_url = Database(postgres.create_database(names[0])), \
        postgres.create_database(names[1])
    directory = tmp_path_factory.mktemp("seeded")
    try:
        catalog_db.migrate(catalog.runtime().migrations)
        identity = SeedResult(provides={"sme_users": {"owner@sme.example": "user-owner"}})
        provided = catalog_seed.seed_demo(catalog_db, SeedContext(
            load_settings("catalog", {"data_dir": str(directory)}, environ={}),
            {"identity": identity,
             "certification": certification_seeded(
                 tmp_path_factory.mktemp("certification"))}))
        app = enrolment.create_app(base_config(directory, signing_key,
                                               database_url=enrolment_url, auto_migrate=True))
        db = app.extensions["score_db"]
        context = SeedContext(app.extensions["score_settings"],
                              {"identity": identity, "catalog": provided})
        yield Seeded(db, context, seed_demo(db, context), load_policy(context.settings))
        db.dispose()
    finally:
        catalog_db.dispose()
        for name in names:
            postgres.drop_database(name)


def test_the_demo_seed_runs_whole_on_postgresql_and_once(seeded):
    assert seeded.result.created["SMEs"] == 8 and seeded.result.created["KPI reports"] > 40
    with seeded.db.reading() as session:
        statuses = set(session.scalars(select(Enrolment.status)))
    assert statuses == {"held", "awaiting_payment", "confirmed", "completed", "cancelled",
                        "expired"}
    assert seed_demo(seeded.db, seeded.context).created == {}


def test_concurrent_records_of_one_classroom_day_leave_one_mark_per_participant(seeded):
    db = seeded.db
    with db.reading() as session:  # a team in the classroom now
        enrolment_row = session.scalars(select(Enrolment).join(OfferedSession).where(
            Enrolment.status == "confirmed", OfferedSession.status == "in_progress")).first()
        team = [p.id for p in enrolment_row.participants]
        staff = Principal("staff", "provider_staff", enrolment_row.provider_id, "provider")
    barrier = threading.Barrier(6)

    def record(n: int) -> None:
        barrier.wait()
        attendance.record_day(db, staff, seeded.policy, enrolment_row.id, 1,
                              team[: 1 + n % len(team)])

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(record, range(6)))
    with db.reading() as session:
        marks = session.scalar(select(func.count()).select_from(AttendanceMark).where(
            AttendanceMark.enrolment_id == enrolment_row.id, AttendanceMark.day == 1))
    assert marks == len(team)


def test_concurrent_corrections_of_one_report_leave_one_version_and_exact_values(seeded):
    db, policy = seeded.db, seeded.policy
    with db.reading() as session:
        sme = session.scalar(select(Sme).where(Sme.registered_by == "user-owner"))
        principal = Principal("user-owner", "sme_user", sme.id, "sme")
    latest = next(r for r in kpis.history(db, principal, sme.id)
                  if r["kpi"] == "absenteeism" and r["kind"] == "baseline")
    barrier, outcomes = threading.Barrier(5), []

    def correct(n: int) -> None:
        barrier.wait()
        try:
            kpis.report(db, principal, policy, sme.id, {
                **{k: latest[k] for k in ("kpi", "kind", "period_start", "period_end")},
                "method": "register recounted", "value": Decimal("9999999999.999") + n,
                "note": None, "corrects": latest["id"]})
            outcomes.append("corrected")
        except Conflict:
            outcomes.append("conflict")

    with ThreadPoolExecutor(5) as pool:
        list(pool.map(correct, range(5)))
    assert sorted(outcomes) == ["conflict"] * 4 + ["corrected"]
    with db.reading() as session:
        (value,) = session.scalars(select(KpiReport.value).where(
            KpiReport.supersedes_id == latest["id"]))
    assert value in {Decimal("9999999999.999") + n for n in range(5)}


def test_the_mailer_sends_the_seeds_emails_in_rounds_on_postgresql(seeded, tmp_path):
    db = seeded.db
    mail = load_mail_settings(load_settings("enrolment", {
        "data_dir": str(tmp_path), "mail_batch": "10"}, environ={}))
    backend = backend_for(mail)
    with db.reading() as session:
        pending = session.scalar(select(func.count()).select_from(Notification)) or 0
    rounds = 0
    while mailer.send_pending(db, backend, mail):
        rounds += 1
    assert pending > 10 and rounds == -(-pending // 10)
    assert len(list((tmp_path / "mail").glob("*.eml"))) == pending
    with db.reading() as session:
        assert set(session.scalars(select(Notification.status))) == {"sent"}
