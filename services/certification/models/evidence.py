"""Evidence of a trainer's progress: from events (sessions, visits, ToT) and from people.

Evidence rows are appended, never edited: the rule engine evaluates them under
whichever rules are in force, so a change of rules re-evaluates without
rewriting history. Each row from an event has a unique ``source`` (the event's
business key, e.g. ``session:<id>:<trainer>``), so a redelivered event adds nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.certification.models.base import Base, new_id, utcnow
from shared.db import UtcDateTime

EVIDENCE_KINDS = ("tot_completed", "session_lead", "session_co", "visit")


class Evidence(Base):
    """One fact that counts toward a module: a ToT, a session delivered, a visit made."""

    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in EVIDENCE_KINDS)})", name="kind"),
        Index("ix_evidence_trainer_module", "trainer_id", "module_code"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    trainer_id: Mapped[str] = mapped_column(ForeignKey("trainers.id", ondelete="CASCADE"))
    module_code: Mapped[str] = mapped_column(String(4))
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(120), unique=True)
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ProgressReport(Base):
    """A trainer's progress report for a module: ``submitted → accepted | rejected``."""

    __tablename__ = "progress_reports"
    __table_args__ = (
        CheckConstraint("status IN ('submitted', 'accepted', 'rejected')", name="status"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    trainer_id: Mapped[str] = mapped_column(ForeignKey("trainers.id", ondelete="CASCADE"),
                                            index=True)
    module_code: Mapped[str] = mapped_column(String(4))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="submitted")
    review_comments: Mapped[str | None] = mapped_column(String(2000))
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class Recommendation(Base):
    """An expert trainer's recommendation of a mentee for a module, or its refusal."""

    __tablename__ = "recommendations"
    __table_args__ = (
        CheckConstraint("decision IN ('recommend', 'decline')", name="decision"),
        Index("ix_recommendations_trainer_module", "trainer_id", "module_code"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    trainer_id: Mapped[str] = mapped_column(ForeignKey("trainers.id", ondelete="CASCADE"))
    module_code: Mapped[str] = mapped_column(String(4))
    expert_id: Mapped[str] = mapped_column(ForeignKey("trainers.id"))
    decision: Mapped[str] = mapped_column(String(10))
    comments: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
