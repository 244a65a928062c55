"""Case studies: an SME's before/after KPI report, published only with its recorded consent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.enrolment.models.base import Base, new_id, utcnow
from shared.db import UtcDateTime


class CaseStudyConsent(Base):
    """An SME's consent to publish its KPI results: who gave it, when, and for what.

    ``kpis`` and ``name_published`` are the scope: which KPIs a case study may show
    and whether it may name the enterprise (otherwise only sector, province and
    size). A consent serves one case study; until that is published it can be
    withdrawn (``withdrawn_at``), after which nothing can be published under it.
    Nothing is deleted: the record is the evidence the ILO may ask for.
    """

    __tablename__ = "case_study_consents"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    sme_id: Mapped[str] = mapped_column(ForeignKey("smes.id"), index=True)
    granted_by: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    kpis: Mapped[list] = mapped_column(JSON, default=list)
    name_published: Mapped[bool] = mapped_column(Boolean, default=False)
    statement: Mapped[str] = mapped_column(String(1000))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    withdrawn_by: Mapped[str | None] = mapped_column(String(64))


class CaseStudy(Base):
    """A published case study: the figures as they stood when it was published (frozen)."""

    __tablename__ = "case_studies"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    sme_id: Mapped[str] = mapped_column(ForeignKey("smes.id"), index=True)
    consent_id: Mapped[str] = mapped_column(ForeignKey("case_study_consents.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    story: Mapped[str] = mapped_column(String(4000))
    kpis: Mapped[list] = mapped_column(JSON, default=list)
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
