"""A trainer's progress in a module: evidence summarised, assessed, and the automatic moves.

Evidence moves a trainer along the first steps by itself: a ToT makes a candidate
``tot_completed``; a first delivery (a session, a visit) starts supervised delivery
once the rules say the trainer may (ToT done, or not required). The later steps
are people's decisions – an expert's recommendation, a certifier's certification –
which the use cases allow only when the assessment supports them. Every move is
``module_status.changed`` with the rules version that judged it.
"""

from __future__ import annotations

from typing import Literal, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.certification import events, rules
from services.certification.config import current_rules
from services.certification.models import Evidence, ModuleStatus, ProgressReport, Recommendation
from shared import clock
from shared.events import publish

Verdict = Literal["recommend", "decline"]
ORDER = ("candidate", "tot_completed", "in_supervised_delivery", "ready_for_recommendation",
         "eligible_for_certification")


def status_of(session: Session, trainer_id: str, module_code: str, *,
              actor: str) -> ModuleStatus:
    """The trainer's status row for the module, locked; created as ``candidate`` if none."""
    found = session.get(ModuleStatus, (trainer_id, module_code), with_for_update=True,
                        populate_existing=True)
    if found is None:
        found = ModuleStatus(trainer_id=trainer_id, module_code=module_code,
                             status="candidate", changed_by=actor, changed_at=clock.now())
        session.add(found)
        session.flush()
    return found


def summary(session: Session, trainer_id: str, module_code: str) -> rules.Evidence:
    """What the stored evidence says about the trainer in the module."""
    counts = dict(session.execute(
        select(Evidence.kind, func.count()).where(Evidence.trainer_id == trainer_id,
                                                  Evidence.module_code == module_code)
        .group_by(Evidence.kind)).all())
    tot = session.scalar(select(func.min(Evidence.occurred_on)).where(
        Evidence.trainer_id == trainer_id, Evidence.module_code == module_code,
        Evidence.kind == "tot_completed"))
    reports = dict(session.execute(
        select(ProgressReport.status, func.count()).where(
            ProgressReport.trainer_id == trainer_id, ProgressReport.module_code == module_code)
        .group_by(ProgressReport.status)).all())
    latest = session.scalar(select(Recommendation).where(
        Recommendation.trainer_id == trainer_id, Recommendation.module_code == module_code)
        .order_by(Recommendation.created_at.desc(), Recommendation.id.desc()).limit(1))
    status = session.get(ModuleStatus, (trainer_id, module_code))
    return rules.Evidence(
        module=module_code, tot_completed=tot,
        sessions_lead=counts.get("session_lead", 0), sessions_co=counts.get("session_co", 0),
        visits=counts.get("visit", 0), reports_uploaded=sum(reports.values()),
        report_accepted=reports.get("accepted", 0) > 0,
        recommendation=None if latest is None else rules.Recommendation(
            cast(Verdict, latest.decision), latest.expert_id, latest.comments,
            latest.created_at.date()),
        certified_at=status.certified_on if status is not None else None)


def assess(session: Session, trainer_id: str, module_code: str) -> rules.Assessment:
    """The module's assessment under the rules in force today."""
    return rules.evaluate(summary(session, trainer_id, module_code), current_rules(),
                          clock.today())


def reassess(session: Session, trainer_id: str, module_code: str, *, actor: str) -> ModuleStatus:
    """Assess again after new evidence and take the moves evidence alone may make."""
    status = status_of(session, trainer_id, module_code, actor=actor)
    evidence = summary(session, trainer_id, module_code)
    assessment = rules.evaluate(evidence, current_rules(), clock.today())
    status.rules_version = assessment.rules_version
    supported = ORDER.index(assessment.status)
    if status.status == "candidate" and evidence.tot_completed is not None:
        move(session, status, "complete_tot", actor=actor, reason="ToT completed",
             version=assessment.rules_version)
    if (status.status in ("candidate", "tot_completed") and evidence.delivered_anything
            and supported >= ORDER.index("tot_completed")):
        move(session, status, "start_supervised_delivery", actor=actor,
             reason="first supervised delivery", version=assessment.rules_version)
    return status


def explain(missing: tuple[rules.Missing, ...] | list[rules.Missing]) -> list[dict]:
    """Missing items as a problem's ``missing`` member: code, words, have and need."""
    return [{"code": m.code, "detail": m.detail, "have": m.have, "need": m.need}
            for m in missing]


def move(session: Session, status: ModuleStatus, action: str, *, actor: str,
         reason: str | None, version: str | None = None) -> None:
    """One lifecycle step of the module status, announced."""
    before = status.transition(action, actor=actor, reason=reason, now=clock.now())
    if version is not None:
        status.rules_version = version
    session.flush()
    publish(session, events.MODULE_STATUS_CHANGED, f"{status.trainer_id}/{status.module_code}",
            events.module_status_payload(status, before, actor))
