"""The trainers read model: who certification registered, and their status per module.

Certification owns trainers; catalog keeps what its events said – enough to
refuse a session naming someone who is not a registered trainer, and (setting
``SCORE_CATALOG_REQUIRE_CERTIFIED_LEAD``, on by default) to refuse publishing a
session whose lead trainer is not ``certified`` for the session's module.

Every write is an upsert of the event's state, so a redelivered or replayed
event changes nothing, and the demo seed may write the same rows the events
bring later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.catalog.models import KnownTrainer, TrainerModuleStatus
from services.catalog.rules import Errors

CERTIFIED = "certified"


def record_trainer(session: Session, data: Mapping[str, Any]) -> KnownTrainer:
    """A trainer as ``trainer.registered`` / ``trainer.updated`` carried it (upsert)."""
    trainer = session.get(KnownTrainer, data["trainer_id"])
    if trainer is None:
        trainer = KnownTrainer(id=data["trainer_id"])
        session.add(trainer)
    trainer.full_name, trainer.gender = data["full_name"], data["gender"]
    trainer.province_code, trainer.provider_id = data["province_code"], data["provider_id"]
    session.flush()
    return trainer


def record_module_status(session: Session, data: Mapping[str, Any]) -> TrainerModuleStatus:
    """A trainer's status in a module as ``module_status.changed`` carried it (upsert)."""
    key = (data["trainer_id"], data["module_code"])
    row = session.get(TrainerModuleStatus, key)
    if row is None:
        row = TrainerModuleStatus(trainer_id=key[0], module_code=key[1])
        session.add(row)
    row.status, row.valid_until = data["status"], data.get("valid_until")
    session.flush()
    return row


def trainer_errors(session: Session, trainers: Iterable[Mapping[str, str]], module_code: str,
                   *, lead_must_be_certified: bool) -> Errors:
    """``trainers[i].trainer_id`` → why that trainer may not be named (empty when fine).

    Every trainer must be registered; with ``lead_must_be_certified`` the lead must
    also be ``certified`` for ``module_code``.
    """
    trainers = list(trainers)
    ids = [t["trainer_id"] for t in trainers]
    if not ids:
        return {}
    known = set(session.scalars(select(KnownTrainer.id).where(KnownTrainer.id.in_(ids))))
    statuses = dict(session.execute(
        select(TrainerModuleStatus.trainer_id, TrainerModuleStatus.status)
        .where(TrainerModuleStatus.trainer_id.in_(ids),
               TrainerModuleStatus.module_code == module_code)).all())
    errors: Errors = {}
    for i, trainer in enumerate(trainers):
        field = f"trainers[{i}].trainer_id"
        if trainer["trainer_id"] not in known:
            errors[field] = ["not a registered trainer"]
        elif (lead_must_be_certified and trainer["role"] == "lead"
              and statuses.get(trainer["trainer_id"]) != CERTIFIED):
            status = statuses.get(trainer["trainer_id"], "not registered for the module")
            errors[field] = [f"the lead trainer must be certified for {module_code} "
                             f"(status: {status})"]
    return errors


def list_trainers(db, module_code: str | None = None, status: str | None = None,
                  limit: int = 200) -> list[dict[str, Any]]:
    """Registered trainers by name with their status per module (``module_code`` and
    ``status`` narrow it: e.g. who may lead an M1 session)."""
    with db.reading() as session:
        query = select(KnownTrainer).order_by(KnownTrainer.full_name, KnownTrainer.id)
        if module_code or status:
            wanted = select(TrainerModuleStatus.trainer_id)
            if module_code:
                wanted = wanted.where(TrainerModuleStatus.module_code == module_code)
            if status:
                wanted = wanted.where(TrainerModuleStatus.status == status)
            query = query.where(KnownTrainer.id.in_(wanted))
        trainers = list(session.scalars(query.limit(limit)))
        modules: dict[str, dict[str, str]] = {}
        for row in session.scalars(select(TrainerModuleStatus).where(
                TrainerModuleStatus.trainer_id.in_([t.id for t in trainers]))):
            modules.setdefault(row.trainer_id, {})[row.module_code] = row.status
        return [{"id": t.id, "full_name": t.full_name, "provider_id": t.provider_id,
                 "modules": modules.get(t.id, {})} for t in trainers]
