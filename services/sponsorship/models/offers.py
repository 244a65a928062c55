"""Offers: what a fund pays for, under which rules (declarative data, :mod:`..rules`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.sponsorship import lifecycle
from services.sponsorship.models.base import Base, new_id, utcnow
from shared.db import UtcDateTime


class Offer(Base):
    """A fund's offer: ``draft → published → withdrawn``; only published ones match."""

    __tablename__ = "offers"
    __table_args__ = (lifecycle.OFFER.check_constraint(),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    fund_id: Mapped[str] = mapped_column(ForeignKey("funds.id"), index=True)
    # The fund's sponsor, kept here so tenant scoping needs no join.
    sponsor_id: Mapped[str] = mapped_column(String(36), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(2000))
    rules: Mapped[dict] = mapped_column(JSON)
    stackable: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default=lifecycle.OFFER.initial)
    status_reason: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)

    def transition(self, action: str, reason: str | None, now: dt.datetime) -> None:
        """Move along the offer lifecycle (409 if not allowed)."""
        self.status = lifecycle.OFFER.next(self.status, action)
        self.status_reason = reason
        if self.status == "published":
            self.published_at = now
