"""A certifier's decisions on a trainer's module: certify, suspend, reinstate, revoke,
withdraw, recertify – each with a reason, each a :func:`progress.move`.

The certifier is a ``platform_admin`` account (an ILO-designated certifier is given
one: there is no separate role). Certification needs the rule engine's
``eligible_for_certification`` (else 409 naming what is missing); it dates the
certification today (Jakarta) and sets its validity from the module's rules.
Credentials follow through :mod:`.issuing`, in the same transaction.
"""

from __future__ import annotations

from services.certification import rules
from services.certification.config import current_rules
from services.certification.models import ModuleStatus, Trainer
from services.certification.service import issuing, progress
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.errors import Conflict, Forbidden, InvalidTransition, NotFound
from shared.persistence import load

ACTIONS = ("certify", "suspend", "reinstate", "revoke", "withdraw", "recertify")


def decide(db: Database, principal: Principal, trainer_id: str, module_code: str,
           action: str, reason: str | None) -> ModuleStatus:
    """Apply one certifier's ``action`` to the trainer's module."""
    if principal.role != "platform_admin":
        raise Forbidden("only a certifier (a platform admin) decides on certification")
    with db.transaction() as session:
        trainer = load(session, Trainer, trainer_id, lock=True)
        status = session.get(ModuleStatus, (trainer_id, module_code), with_for_update=True,
                             populate_existing=True)
        if status is None:
            raise NotFound(f"trainer {trainer_id} has no record in {module_code}")
        _DECISIONS[action](session, trainer, status, principal.subject, reason)
        return status


def _certify(session, trainer: Trainer, status: ModuleStatus, actor: str,
             reason: str | None) -> None:
    judged = progress.assess(session, trainer.id, status.module_code)
    if judged.status != "eligible_for_certification":
        raise Conflict(f"{trainer.id} is not eligible for certification in "
                       f"{status.module_code}: " + "; ".join(m.detail for m in judged.missing),
                       missing=progress.explain(judged.missing))
    _grant(session, trainer, status, "certify", actor, reason or "certified",
           judged.rules_version)


def _recertify(session, trainer: Trainer, status: ModuleStatus, actor: str,
               reason: str | None) -> None:
    own = current_rules().for_module(status.module_code)
    if (status.status == "certified" and status.certified_on is not None
            and not rules.due_for_recertification(status.certified_on, own, clock.today())):
        window = rules.expires_on(status.certified_on, own)
        raise InvalidTransition(
            f"not yet due for recertification: the window opens "
            f"{own.recertification_window_days} days before {window.isoformat()}")
    _grant(session, trainer, status, "recertify", actor, reason or "recertified",
           current_rules().version)


def _grant(session, trainer: Trainer, status: ModuleStatus, action: str, actor: str,
           reason: str, version: str) -> None:
    today = clock.today()
    status.certified_on = today
    status.valid_until = rules.expires_on(today, current_rules().for_module(status.module_code))
    progress.move(session, status, action, actor=actor, reason=reason, version=version)
    issuing.on_certified(session, trainer, status, actor=actor)


def _suspend(session, trainer: Trainer, status: ModuleStatus, actor: str,
             reason: str | None) -> None:
    status.suspended = True
    progress.move(session, status, "suspend", actor=actor, reason=reason)


def _reinstate(session, trainer: Trainer, status: ModuleStatus, actor: str,
               reason: str | None) -> None:
    status.suspended = False
    progress.move(session, status, "reinstate", actor=actor, reason=reason)
    # The validity clock did not stop: a certification that ran out meanwhile expires now.
    if status.valid_until is not None and clock.today() >= status.valid_until:
        progress.move(session, status, "expire", actor=actor,
                      reason=f"validity ended {status.valid_until.isoformat()}")


def _revoke(session, trainer: Trainer, status: ModuleStatus, actor: str,
            reason: str | None) -> None:
    status.suspended = False
    progress.move(session, status, "revoke", actor=actor, reason=reason)
    issuing.on_revoked(session, trainer, status, actor=actor, reason=reason or "revoked")


def _withdraw(session, trainer: Trainer, status: ModuleStatus, actor: str,
              reason: str | None) -> None:
    status.suspended = False
    progress.move(session, status, "withdraw", actor=actor, reason=reason)


_DECISIONS = {"certify": _certify, "suspend": _suspend, "reinstate": _reinstate,
              "revoke": _revoke, "withdraw": _withdraw, "recertify": _recertify}
