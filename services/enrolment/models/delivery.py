"""Delivery records: classroom attendance per participant and day, consultancy visits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.enrolment import lifecycle
from services.enrolment.models.base import Base, new_id, utcnow
from shared.db import UtcDateTime


class AttendanceMark(Base):
    """Whether one participant attended one classroom day (re-recording overwrites)."""

    __tablename__ = "attendance"
    participant_id: Mapped[str] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[str] = mapped_column(ForeignKey("enrolments.id"), index=True)
    session_id: Mapped[str] = mapped_column(String(36), index=True)
    present: Mapped[bool] = mapped_column(Boolean)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                     onupdate=utcnow)


class Visit(Base):
    """An on-site consultancy visit to an enrolled enterprise: ``scheduled → recorded``."""

    __tablename__ = "visits"
    __table_args__ = (lifecycle.VISIT.check_constraint(),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    enrolment_id: Mapped[str] = mapped_column(ForeignKey("enrolments.id"), index=True)
    session_id: Mapped[str] = mapped_column(String(36), index=True)
    sme_id: Mapped[str] = mapped_column(String(36), index=True)
    provider_id: Mapped[str] = mapped_column(String(36), index=True)
    trainer_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), default=lifecycle.VISIT.initial)
    scheduled_on: Mapped[dt.date] = mapped_column(Date)
    visited_on: Mapped[dt.date | None] = mapped_column(Date)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    topics: Mapped[list] = mapped_column(JSON, default=list)
    members_present: Mapped[list] = mapped_column(JSON, default=list)
    actions_agreed: Mapped[list] = mapped_column(JSON, default=list)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    recorded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    def __init__(self, **values) -> None:
        values.setdefault("status", lifecycle.VISIT.initial)
        super().__init__(**values)

    def transition(self, action: str) -> None:
        """Move along the visit lifecycle (409 if not allowed)."""
        self.status = lifecycle.VISIT.next(self.status, action)
