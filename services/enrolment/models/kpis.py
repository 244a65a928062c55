"""Enterprise KPI reports: append-only; a correction is a new version, never an edit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from services.enrolment.models.base import Base, new_id, utcnow
from shared.db import UtcDateTime


class KpiReport(Base):
    """One measured value of one KPI for one SME over one period, with how it was measured.

    Company-level KPI data is noisy (DOMAIN.md), so the period and method travel with
    each value and history is never overwritten: ``supersedes_id`` names the report a
    correction replaces (each report is corrected at most once, so versions form a chain).
    """

    __tablename__ = "kpi_reports"
    __table_args__ = (
        CheckConstraint("kind IN ('baseline', 'follow_up')", name="kind"),
        CheckConstraint("period_end >= period_start", name="period"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    sme_id: Mapped[str] = mapped_column(ForeignKey("smes.id"), index=True)
    kpi_code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(500))
    value: Mapped[Decimal] = mapped_column(Numeric(20, 4))
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[str | None] = mapped_column(ForeignKey("kpi_reports.id"), unique=True)
    note: Mapped[str | None] = mapped_column(String(1000))
    reported_by: Mapped[str] = mapped_column(String(64))
    reported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
