"""Evidence from events: sessions delivered and consultancy visits made, once each.

Catalog's ``session.completed`` lists the session's trainers with their roles;
enrolment's ``visit.recorded`` names the trainer who visited. A trainer
certification does not know (not registered here) is skipped: catalog checks
trainers against certification's events, but sessions from before that rule
may name anyone. Each fact's ``source`` is unique, so a redelivered or replayed
event records nothing twice. After a new fact the trainer's module is assessed
again (:func:`progress.reassess`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.certification.models import Evidence, Trainer
from services.certification.service import progress

ROLES = {"lead": "session_lead"}  # any other role co-delivers


def record_session(session: Session, data: dict[str, Any], *, actor: str) -> int:
    """Each registered trainer of a completed session delivered it; returns facts added."""
    added = 0
    for trainer in data["trainers"]:
        kind = ROLES.get(trainer["role"], "session_co")
        added += _record(session, trainer["trainer_id"], data["module_code"], kind,
                         f"session:{data['session_id']}:{trainer['trainer_id']}",
                         data["end_date"], {"session_id": data["session_id"],
                                            "provider_id": data["provider_id"],
                                            "role": trainer["role"]}, actor)
    return added


def record_visit(session: Session, data: dict[str, Any], *, actor: str) -> int:
    """A consultancy visit the trainer made; returns facts added (0 or 1)."""
    return _record(session, data["trainer_id"], data["module_code"], "visit",
                   f"visit:{data['visit_id']}", data["visited_on"],
                   {"visit_id": data["visit_id"], "enrolment_id": data["enrolment_id"],
                    "sme_id": data["sme_id"]}, actor)


def _record(session: Session, trainer_id: str, module_code: str, kind: str, source: str,
            occurred_on: dt.date, details: dict[str, Any], actor: str) -> int:
    if session.get(Trainer, trainer_id) is None:
        return 0
    if session.scalar(select(Evidence.id).where(Evidence.source == source)) is not None:
        return 0
    session.add(Evidence(trainer_id=trainer_id, module_code=module_code, kind=kind,
                         source=source, occurred_on=occurred_on, details=details,
                         recorded_by=actor))
    session.flush()
    progress.reassess(session, trainer_id, module_code, actor=actor)
    return 1
