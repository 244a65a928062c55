"""Progress reports: a trainer submits one for a module; an expert trainer judges it.

``submitted → accepted | rejected``, once: a rejected report stays on record with
the reviewer's comments and the trainer submits a new one. Submitting counts as
supervised delivery and accepting meets the rules' report requirement, so both
are followed by :func:`progress.reassess`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.certification import access
from services.certification.lifecycle import TERMINAL
from services.certification.models import ProgressReport, Trainer
from services.certification.service import progress
from services.certification.service.trainers import readable_status
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.errors import Conflict, Forbidden, InvalidTransition
from shared.persistence import load

VERDICTS = {"accept": "accepted", "reject": "rejected"}


def submit_report(db: Database, principal: Principal, trainer_id: str, module_code: str,
                  data: dict[str, Any]) -> ProgressReport:
    """The trainer's own progress report for one of their modules."""
    with db.transaction() as session:
        trainer = load(session, Trainer, trainer_id, lock=True)
        access.ensure_reads_trainer(session, principal, trainer)
        if not access.is_trainer(principal, trainer_id):
            raise Forbidden("only the trainer submits their progress reports")
        status = readable_status(session, principal, trainer_id, module_code)
        if status.status in TERMINAL:
            raise Conflict(f"{module_code} is {status.status}: no more reports")
        report = ProgressReport(trainer_id=trainer_id, module_code=module_code,
                                title=data["title"], body=data["body"], status="submitted",
                                submitted_at=clock.now())
        session.add(report)
        session.flush()
        progress.reassess(session, trainer_id, module_code, actor=principal.subject)
        return report


def review_report(db: Database, principal: Principal, report_id: str, verdict: str,
                  comments: str) -> ProgressReport:
    """Accept or reject a submitted report (an expert of its module, or a platform admin)."""
    with db.transaction() as session:
        report = load(session, ProgressReport, report_id, lock=True)
        trainer = load(session, Trainer, report.trainer_id)
        access.ensure_reviewer(session, principal, trainer, report.module_code,
                               "review progress reports")
        if report.status != "submitted":
            raise InvalidTransition(f"the report is already {report.status}")
        report.status = VERDICTS[verdict]
        report.review_comments, report.reviewed_by = comments, principal.subject
        report.reviewed_at = clock.now()
        session.flush()
        progress.reassess(session, report.trainer_id, report.module_code,
                          actor=principal.subject)
        return report


def get_report(db: Database, principal: Principal | None, report_id: str) -> ProgressReport:
    """A report, for whoever may read its trainer (others: 404)."""
    with db.reading() as session:
        report = load(session, ProgressReport, report_id)
        access.ensure_reads_trainer(session, principal, load(session, Trainer,
                                                             report.trainer_id))
        return report


def list_reports(db: Database, principal: Principal | None, trainer_id: str,
                 module_code: str) -> list[ProgressReport]:
    """The trainer's reports in the module, newest first (a handful per module)."""
    with db.reading() as session:
        readable_status(session, principal, trainer_id, module_code)
        return list(session.scalars(select(ProgressReport).where(
            ProgressReport.trainer_id == trainer_id, ProgressReport.module_code == module_code)
            .order_by(ProgressReport.submitted_at.desc(), ProgressReport.id.desc())))
