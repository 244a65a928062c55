"""Training of Trainers attendance recorded by a platform admin, and the evidence read back.

A ToT is evidence like a completed session: appended once (its ``source``
``tot:<trainer>:<module>:<reference>`` is unique), never edited, and followed by
:func:`progress.reassess`, which moves a candidate to ``tot_completed``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.certification.models import Evidence, Trainer
from services.certification.service import progress
from services.certification.service.trainers import readable_status
from shared.auth import Principal
from shared.db import Database
from shared.errors import Conflict, Forbidden
from shared.pages import newest_first
from shared.persistence import load


def record_tot(db: Database, principal: Principal, trainer_id: str, module_code: str,
               data: dict[str, Any]) -> Evidence:
    """The trainer attended the module's ToT (platform admin), then their progress is assessed."""
    if principal.role != "platform_admin":
        raise Forbidden("only a platform admin records Training of Trainers attendance")
    with db.transaction() as session:
        load(session, Trainer, trainer_id, lock=True)
        status = readable_status(session, principal, trainer_id, module_code)
        source = f"tot:{trainer_id}:{module_code}:{data['reference']}"
        if session.scalar(select(Evidence.id).where(Evidence.source == source)) is not None:
            raise Conflict(f"ToT {data['reference']} is already on record for {trainer_id} in "
                           f"{module_code}", errors={"reference": ["already recorded"]})
        fact = Evidence(trainer_id=trainer_id, module_code=module_code, kind="tot_completed",
                        source=source, occurred_on=data["attended_on"],
                        details={"reference": data["reference"], "note": data.get("note")},
                        recorded_by=principal.subject)
        session.add(fact)
        session.flush()
        progress.reassess(session, status.trainer_id, module_code, actor=principal.subject)
        return fact


def list_evidence(db: Database, principal: Principal | None, trainer_id: str,
                  module_code: str, args: dict[str, Any]) -> dict[str, Any]:
    """The evidence on record for the trainer's module, newest first (readers of the trainer)."""
    with db.reading() as session:
        readable_status(session, principal, trainer_id, module_code)
        query = select(Evidence).where(Evidence.trainer_id == trainer_id,
                                       Evidence.module_code == module_code)
        if args.get("kind"):
            query = query.where(Evidence.kind == args["kind"])
        return newest_first(session, query, Evidence, args)


def assessment(db: Database, principal: Principal | None, trainer_id: str,
               module_code: str) -> dict[str, Any]:
    """The rule engine's word on the trainer's module today, with the status as it stands."""
    with db.reading() as session:
        status = readable_status(session, principal, trainer_id, module_code)
        judged = progress.assess(session, trainer_id, module_code)
        return {"trainer_id": trainer_id, "module_code": module_code,
                "status": status.status, "status_reason": status.status_reason,
                "certified_on": status.certified_on, "valid_until": status.valid_until,
                "supported": judged.status, "missing": judged.missing,
                "rules_version": judged.rules_version, "evaluated_on": judged.evaluated_on,
                "expires_on": judged.expires_on, "expired": judged.expired,
                "recertification_due": judged.recertification_due}
