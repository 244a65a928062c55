"""Sponsors: ministries, donors, lead buyers and associations that pay for training."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from services.sponsorship import lifecycle
from services.sponsorship.models.base import Base, new_id, utcnow
from shared.db import UtcDateTime

SPONSOR_KINDS = ("ministry", "donor", "lead_buyer", "association", "other")


class Sponsor(Base):
    """An organisation funding seats; ``pending → approved ⇄ suspended``."""

    __tablename__ = "sponsors"
    __table_args__ = (
        lifecycle.SPONSOR.check_constraint(),
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in SPONSOR_KINDS)})", name="kind"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(12), default=lifecycle.SPONSOR.initial)
    status_reason: Mapped[str | None] = mapped_column(String(500))
    registered_by: Mapped[str] = mapped_column(String(64), index=True)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                    onupdate=utcnow)

    def transition(self, action: str, reason: str | None, now: dt.datetime) -> None:
        """Move along the sponsor lifecycle (409 if not allowed)."""
        self.status = lifecycle.SPONSOR.next(self.status, action)
        self.status_reason = reason
        if self.status == "approved" and self.approved_at is None:
            self.approved_at = now
