"""Trainer use cases: register, edit the profile, name experts; reads with visibility."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.certification import access, events
from services.certification.models import ModuleStatus, Trainer
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.errors import Conflict, Forbidden, NotFound
from shared.events import publish
from shared.locks import serialise_on
from shared.pages import newest_first
from shared.persistence import assign, load


def register_trainer(db: Database, principal: Principal, data: dict[str, Any]) -> Trainer:
    """The caller's trainer record, a ``candidate`` in each module of interest.

    The trainer's id is the caller's user id, so an account registers one trainer;
    registrations by one user are serialised, so two sent at once also yield one.
    Identity makes the registrant a member of the record (``trainer.registered``).
    """
    if principal.role != "trainer" or principal.org is not None:
        raise Forbidden("only a trainer account not yet acting for a trainer record may "
                        "register one")
    with db.transaction() as session:
        serialise_on(session, f"trainer-registration:{principal.subject}")
        if session.get(Trainer, principal.subject) is not None:
            raise Conflict(f"you have already registered as trainer {principal.subject}; an "
                           "account registers one trainer")
        now = clock.now()
        trainer = Trainer(id=principal.subject, **data, expert_modules=[], created_at=now,
                          updated_at=now)
        session.add(trainer)
        session.flush()
        for code in trainer.modules_of_interest:
            _add_module(session, trainer, code, principal.subject)
        publish(session, events.TRAINER_REGISTERED, trainer.id,
                {**events.trainer_payload(trainer, principal.subject),
                 "registered_by": principal.subject})
        session.refresh(trainer, ["modules"])  # the new statuses, for the response
        return trainer


def _add_module(session: Session, trainer: Trainer, code: str, actor: str) -> None:
    """A ``candidate`` status in a module, announced like every other status change."""
    status = ModuleStatus(trainer_id=trainer.id, module_code=code, status="candidate",
                          changed_by=actor, changed_at=clock.now())
    session.add(status)
    session.flush()
    publish(session, events.MODULE_STATUS_CHANGED, f"{trainer.id}/{code}",
            events.module_status_payload(status, None, actor))


def update_trainer(db: Database, principal: Principal, trainer_id: str,
                   changes: dict[str, Any]) -> Trainer:
    """Edit the trainer's own profile; a new module of interest starts as ``candidate``.

    A module with a status cannot be dropped from the modules of interest: the
    status is its history (withdrawal is the way out, by a certifier).
    """
    with db.transaction() as session:
        trainer = load(session, Trainer, trainer_id, lock=True)
        access.ensure_reads_trainer(session, principal, trainer)
        if not access.is_trainer(principal, trainer_id):
            raise Forbidden("only the trainer edits their profile")
        known = {status.module_code for status in trainer.modules}
        wanted = changes.get("modules_of_interest")
        if wanted is not None:
            dropped = sorted(known - set(wanted))
            if dropped:
                raise Conflict(f"{', '.join(dropped)} already has a certification record; "
                               "ask a certifier to withdraw you instead",
                               errors={"modules_of_interest": [f"must keep {', '.join(dropped)}"]})
        if assign(trainer, changes):
            for code in sorted(set(wanted or ()) - known):
                _add_module(session, trainer, code, principal.subject)
            session.flush()
            publish(session, events.TRAINER_UPDATED, trainer.id,
                    events.trainer_payload(trainer, principal.subject))
            session.refresh(trainer, ["modules"])
        return trainer


def set_expert_modules(db: Database, principal: Principal, trainer_id: str,
                       modules: list[str]) -> Trainer:
    """Name the modules in which the trainer is an expert trainer (platform admin).

    No certification is required: the first experts of a programme are appointed
    by the ILO, not recommended (no one could recommend them).
    """
    if principal.role != "platform_admin":
        raise Forbidden("only a platform admin names expert trainers")
    with db.transaction() as session:
        trainer = load(session, Trainer, trainer_id, lock=True)
        if assign(trainer, {"expert_modules": modules}):
            session.flush()
            publish(session, events.TRAINER_UPDATED, trainer.id,
                    events.trainer_payload(trainer, principal.subject))
        return trainer


def get_trainer(db: Database, principal: Principal | None, trainer_id: str) -> Trainer:
    """A trainer the caller may read (others: 404)."""
    with db.reading() as session:
        trainer = load(session, Trainer, trainer_id)
        access.ensure_reads_trainer(session, principal, trainer)
        return trainer


def list_trainers(db: Database, principal: Principal | None,
                  args: dict[str, Any]) -> dict[str, Any]:
    """Trainers the caller may read, newest first, filtered by module/status/province/provider."""
    with db.reading() as session:
        query = access.scope_trainers(session, select(Trainer), principal)
        if args.get("module") or args.get("status"):
            statuses = select(ModuleStatus.trainer_id)
            if args.get("module"):
                statuses = statuses.where(ModuleStatus.module_code == args["module"])
            if args.get("status"):
                statuses = statuses.where(ModuleStatus.status == args["status"])
            query = query.where(Trainer.id.in_(statuses))
        if args.get("province"):
            query = query.where(Trainer.province_code == args["province"])
        if args.get("provider_id"):
            query = query.where(Trainer.provider_id == args["provider_id"])
        return newest_first(session, query, Trainer, args)


def readable_status(session: Session, principal: Principal | None, trainer_id: str,
                    module_code: str) -> ModuleStatus:
    """The trainer's status in the module, for a caller who may read the trainer (or 404)."""
    trainer = load(session, Trainer, trainer_id)
    access.ensure_reads_trainer(session, principal, trainer)
    status = session.get(ModuleStatus, (trainer_id, module_code))
    if status is None:
        raise NotFound(f"trainer {trainer_id} has no record in {module_code}")
    return status
