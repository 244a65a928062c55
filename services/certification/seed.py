"""Demo data for ``score run`` (development only): trainers at every stage of the path.

The trainers are :data:`seed_data.TRAINERS`, each with the id of identity's demo
``trainer`` account of the same email (identity provides ``trainers``: email →
user id; ``demo-trainer-<name>`` without it). Progress comes from evidence
through the evidence and progress use cases: a Training of Trainers, sessions
delivered (as catalog's ``session.completed`` would report them: sessions of
before the marketplace, ids ``pre-marketplace:...``), consultancy visits, so
the first moves are the rule engine's own. The later steps – an accepted
progress report, an expert's recommendation, certification, suspension,
expiry, withdrawal – are written here as the people would decide them, with
the lifecycle's moves and their ``module_status.changed`` events.

Registration publishes ``trainer.registered`` as the trainer use cases do. The
seed provides ``trainers`` (each as that event carries it, plus ``modules``:
module → status) to the seeds of services depending on certification: catalog
fills its trainers read model from it before its first session, so its demo
sessions name certified leads before any consumer runs.

Idempotent: nothing is written once any trainer exists (one transaction: all or nothing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.certification import config, events, issuer, rules
from services.certification.models import (
    Credential,
    Evidence,
    ProgressReport,
    Recommendation,
    Trainer,
)
from services.certification.seed_data import TRAINERS, DemoTrainer
from services.certification.service import evidence, issuing, progress
from shared import clock
from shared.db import Database
from shared.events import publish
from shared.seeding import SeedContext, SeedResult

ACTOR = "demo-seed"
CERTIFIER = "demo-admin"  # the platform admin certifies (an ILO-designated certifier's role)
# Days before today a module's path happened: ToT, then deliveries, then the decisions.
CERTIFIED_DAYS_AGO = 400
EXPIRED_DAYS_AGO = 365 * 3 + 300  # certified 200 days in: 36 months later is past
# What a stage needs before its decisions: delivered sessions (role), consultancy visits.
FULL_CYCLE = (("co", "co", "lead"), 4)


def seed_demo(db: Database, context: SeedContext) -> SeedResult:
    """Register the demo trainers and walk them along their modules unless any exists."""
    config.install(config.load_rules(context.settings))
    issuer.install(issuer.load_issuer(context.settings))
    accounts = context.provided("identity").get("trainers", {})
    ids = {t.email: accounts.get(t.email) or f"demo-trainer-{t.email.split('@')[0]}"
           for t in TRAINERS}
    created = {"trainers": 0, "certified modules": 0, "credentials": 0}
    with db.transaction() as session:
        if not session.scalar(select(func.count()).select_from(Trainer)):
            for trainer in TRAINERS:
                _register(session, ids[trainer.email], trainer)
            created["trainers"] = len(TRAINERS)
            for trainer in TRAINERS:
                for module, stage in sorted(trainer.stages.items()):
                    _walk(session, ids, trainer, module, stage)
                    created["certified modules"] += stage == "certified"
            created["credentials"] = session.scalar(
                select(func.count()).select_from(Credential)) or 0
    return SeedResult(created=created, provides={"trainers": provided(db)})


def provided(db: Database) -> list[dict[str, Any]]:
    """Every trainer as ``trainer.registered`` carries it, with ``modules``: module → status."""
    with db.reading() as session:
        trainers = session.scalars(select(Trainer).order_by(Trainer.id)).all()
        return [{**events.TRAINER_REGISTERED.validate(
                    {**events.trainer_payload(t, ACTOR), "registered_by": t.id}),
                 "modules": {m.module_code: m.status for m in t.modules}}
                for t in trainers]


def _register(session: Session, trainer_id: str, trainer: DemoTrainer) -> None:
    row = Trainer(id=trainer_id, full_name=trainer.full_name, gender=trainer.gender,
                  province_code=trainer.province_code, organisation=trainer.organisation,
                  provider_id=None, modules_of_interest=trainer.modules_of_interest,
                  expert_modules=list(trainer.expert))
    session.add(row)
    session.flush()
    # The trainer's own account registers it (identity then makes it the trainer's member).
    publish(session, events.TRAINER_REGISTERED, trainer_id,
            {**events.trainer_payload(row, ACTOR), "registered_by": trainer_id})
    for module in trainer.modules_of_interest:
        progress.status_of(session, trainer_id, module, actor=ACTOR)


def _walk(session: Session, ids: Mapping[str, str], trainer: DemoTrainer, module: str,
          stage: str) -> None:
    """Bring the trainer's module to ``stage``: evidence first, then people's decisions."""
    trainer_id = ids[trainer.email]
    status = progress.status_of(session, trainer_id, module, actor=ACTOR)
    if stage == "candidate":
        return
    if stage == "withdrawn":
        progress.move(session, status, "withdraw", actor=trainer_id,
                      reason="moved abroad; left the programme")
        return
    started = clock.today() - dt.timedelta(
        days=EXPIRED_DAYS_AGO if stage == "expired" else CERTIFIED_DAYS_AGO)
    _tot(session, trainer_id, module, started)
    if stage == "tot_completed":
        return
    roles, visits = FULL_CYCLE if stage != "in_supervised_delivery" else (("co",), 1)
    for n, role in enumerate(roles, start=1):
        evidence.record_session(session, {
            "session_id": f"pre-marketplace:{trainer_id}:{module}:{n}",
            "provider_id": "pre-marketplace", "module_code": module,
            "end_date": started + dt.timedelta(days=30 * n),
            "trainers": [{"trainer_id": trainer_id, "role": role}]}, actor=ACTOR)
    for n in range(1, visits + 1):
        evidence.record_visit(session, {
            "visit_id": f"pre-marketplace:{trainer_id}:{module}:{n}",
            "enrolment_id": "pre-marketplace", "sme_id": "pre-marketplace",
            "module_code": module, "trainer_id": trainer_id,
            "visited_on": started + dt.timedelta(days=100 + 7 * n)}, actor=ACTOR)
    if stage == "in_supervised_delivery":
        return
    expert = _expert(ids, trainer, module)
    _report_accepted(session, trainer_id, module, expert)
    session.add(Recommendation(trainer_id=trainer_id, module_code=module, expert_id=expert,
                               decision="recommend",
                               comments="Led and co-delivered with confidence; visits "
                                        "well documented."))
    session.flush()
    progress.move(session, status, "recommend", actor=expert, reason="recommended by expert")
    if stage == "recommended":
        return
    status.certified_on = started + dt.timedelta(days=200)
    status.valid_until = rules.expires_on(status.certified_on,
                                          config.current_rules().for_module(module))
    progress.move(session, status, "certify", actor=CERTIFIER, reason="supervised cycle complete",
                  version=config.current_rules().version)
    trainer_row = session.get(Trainer, trainer_id)
    assert trainer_row is not None
    if stage != "expired":  # an expired certification's credential would be void at issue
        issuing.on_certified(session, trainer_row, status, actor=CERTIFIER)
    if stage == "revoked":
        reason = "certificate shown for sessions the trainer did not deliver"
        progress.move(session, status, "revoke", actor=CERTIFIER, reason=reason)
        issuing.on_revoked(session, trainer_row, status, actor=CERTIFIER, reason=reason)
    elif stage == "suspended":
        status.suspended = True
        progress.move(session, status, "suspend", actor=CERTIFIER,
                      reason="complaint from an SME under review")
    elif stage == "expired":
        progress.move(session, status, "expire", actor=CERTIFIER,
                      reason=f"validity ended on {status.valid_until.isoformat()}")


def _tot(session: Session, trainer_id: str, module: str, on: dt.date) -> None:
    """Attendance of the module's Training of Trainers, as an admin records it."""
    session.add(Evidence(trainer_id=trainer_id, module_code=module, kind="tot_completed",
                         source=f"tot:pre-marketplace:{trainer_id}:{module}", occurred_on=on,
                         details={"recorded": "demo data"}, recorded_by=CERTIFIER))
    session.flush()
    progress.reassess(session, trainer_id, module, actor=CERTIFIER)


def _report_accepted(session: Session, trainer_id: str, module: str, expert: str) -> None:
    session.add(ProgressReport(
        trainer_id=trainer_id, module_code=module, title=f"Supervised delivery of {module}",
        body="Two workshops co-delivered, one led; four enterprise visits with action plans.",
        status="accepted", review_comments="Complete and well evidenced.",
        reviewed_by=expert, reviewed_at=clock.now()))
    session.flush()


def _expert(ids: Mapping[str, str], trainer: DemoTrainer, module: str) -> str:
    """The first expert of ``module`` who is not ``trainer``."""
    return next(ids[t.email] for t in TRAINERS if module in t.expert and t is not trainer)
