"""Where a certifier's decisions meet the credentials: hooks the decisions call.

:mod:`services.certification.service.decisions` calls :func:`on_certified` after a
trainer is certified (or recertified) in a module and :func:`on_revoked` after a
certification is revoked, inside the decision's transaction, so a credential and
the decision that grants or takes it away are committed together.

The credential engineer's implementation replaces these bodies (issuing the OB3
credential, setting its status list bit); until then a decision issues nothing.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.certification.models import ModuleStatus, Trainer


def on_certified(session: Session, trainer: Trainer, module_status: ModuleStatus, *,
                 actor: str) -> None:
    """Issue the trainer's credential (credentials engineer)."""


def on_revoked(session: Session, trainer: Trainer, module_status: ModuleStatus, *,
               actor: str, reason: str) -> None:
    """Revoke the trainer's credential for the module (credentials engineer)."""
