"""Trainers and their status per SCORE module."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.certification import lifecycle
from services.certification.models.base import Base, utcnow
from shared.db import UtcDateTime


class Trainer(Base):
    """A SCORE trainer; its id is its ``trainer`` user's id (the token subject).

    Catalog's sessions and enrolment's visits name trainers by that id, and a
    trainer's token acts as that trainer with no lookup.
    """

    __tablename__ = "trainers"
    __table_args__ = (CheckConstraint("gender IN ('female', 'male')", name="gender"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    gender: Mapped[str] = mapped_column(String(6))
    province_code: Mapped[str] = mapped_column(String(2))
    organisation: Mapped[str] = mapped_column(String(200))
    # The provider the trainer delivers for, when there is one (its staff see the trainer).
    provider_id: Mapped[str | None] = mapped_column(String(36), index=True)
    modules_of_interest: Mapped[list] = mapped_column(JSON, default=list)
    # Modules in which this trainer is an expert trainer (recommends mentees).
    expert_modules: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                    onupdate=utcnow)
    modules: Mapped[list[ModuleStatus]] = relationship(
        back_populates="trainer", cascade="all, delete-orphan", lazy="selectin",
        order_by="ModuleStatus.module_code")


class ModuleStatus(Base):
    """Where a trainer stands in one module (:data:`lifecycle.MODULE_STATUS`)."""

    __tablename__ = "module_statuses"
    __table_args__ = (lifecycle.MODULE_STATUS.check_constraint(),)
    trainer_id: Mapped[str] = mapped_column(ForeignKey("trainers.id", ondelete="CASCADE"),
                                            primary_key=True)
    module_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    status: Mapped[str] = mapped_column(String(30), default=lifecycle.MODULE_STATUS.initial)
    status_reason: Mapped[str | None] = mapped_column(String(500))
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    certified_on: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    # The rules (their version hash) the last evaluation used: history says which applied.
    rules_version: Mapped[str | None] = mapped_column(String(64))
    # Set by a certifier's suspension; cleared on reinstatement.
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    trainer: Mapped[Trainer] = relationship(back_populates="modules")

    def transition(self, action: str, *, actor: str, reason: str | None,
                   now: dt.datetime) -> str:
        """Move along the module lifecycle (409 if not allowed); returns the previous state."""
        before = self.status
        self.status = lifecycle.MODULE_STATUS.next(before, action)
        self.status_reason, self.changed_by, self.changed_at = reason, actor, now
        return before
