"""Who sees and changes what in certification (foreign rows look absent: 404).

- a ``trainer`` acts as one trainer, the token's subject (a trainer's id is its
  user's id): their own record, reports and evidence;
- an expert trainer (a trainer whose ``expert_modules`` name a module) also sees
  their mentees – every trainer with a status in one of those modules – reviews
  their progress reports and recommends or declines them, never themselves;
- ``provider_staff`` see the trainers who name their provider;
- the ILO auditor and platform admins read everything; a platform admin records
  ToT attendance, names expert trainers and makes the certifier's decisions. An
  ILO-designated certifier is a ``platform_admin`` account: there is no separate
  certifier role (``shared.auth.ROLES``). The auditor writes nothing (refused
  globally by ``shared.auth``).
"""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session

from services.certification.models import ModuleStatus, Trainer
from shared.auth import Principal
from shared.errors import Forbidden, NotFound


def is_trainer(principal: Principal | None, trainer_id: str) -> bool:
    """The caller is this trainer."""
    return (principal is not None and principal.role == "trainer"
            and principal.subject == trainer_id)


def expert_modules(session: Session, principal: Principal | None) -> list[str]:
    """The modules in which the caller is an expert trainer (none for other roles)."""
    if principal is None or principal.role != "trainer":
        return []
    expert = session.get(Trainer, principal.subject)
    return list(expert.expert_modules) if expert is not None else []


def is_expert_for(session: Session, principal: Principal | None, module_code: str) -> bool:
    """The caller is an expert trainer of ``module_code``."""
    return module_code in expert_modules(session, principal)


def reads_trainer(session: Session, principal: Principal | None, trainer: Trainer) -> bool:
    """The trainer, their experts, their provider's staff, auditors and admins."""
    if principal is None:
        return False
    if principal.reads_everything or is_trainer(principal, trainer.id):
        return True
    if principal.role == "provider_staff":
        return principal.acts_for(trainer.provider_id)
    mine = set(expert_modules(session, principal))
    return any(status.module_code in mine for status in trainer.modules)


def ensure_reads_trainer(session: Session, principal: Principal | None,
                         trainer: Trainer) -> None:
    """404 unless the caller may read the trainer's record."""
    if not reads_trainer(session, principal, trainer):
        raise NotFound("no such trainer")


def ensure_reviewer(session: Session, principal: Principal, trainer: Trainer,
                    module_code: str, what: str) -> None:
    """An expert trainer of the module (never for themselves) or a platform admin.

    Callers who may not even read the trainer get 404; readers who may not judge, 403.
    """
    if principal.role == "platform_admin":
        return
    ensure_reads_trainer(session, principal, trainer)
    if is_trainer(principal, trainer.id):
        raise Forbidden(f"a trainer cannot {what} for themselves")
    if not is_expert_for(session, principal, module_code):
        raise Forbidden(f"only an expert trainer of {module_code} may {what}")


def scope_trainers(session: Session, query: Select, principal: Principal | None) -> Select:
    """Limit a ``select(Trainer)`` to the trainers the caller may read."""
    if principal is not None and principal.reads_everything:
        return query
    if principal is None:
        return query.where(false())
    if principal.role == "provider_staff":
        return query.where(Trainer.provider_id == principal.org) if principal.org else \
            query.where(false())
    if principal.role != "trainer":
        return query.where(false())
    mentees = select(ModuleStatus.trainer_id).where(
        ModuleStatus.module_code.in_(expert_modules(session, principal)))
    return query.where(or_(Trainer.id == principal.subject, Trainer.id.in_(mentees)))
