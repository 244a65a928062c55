"""Read models kept from other services' events: what a quote needs to know.

Enrolment's ``sme.registered`` / ``sme.updated`` give the SME's province, KBLI
code and size class; catalog's ``session.*`` events give the session's price,
module, provider, province and ILO supervision. A quote only names the SME and
the session; the facts rules test come from here, never from the caller.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from services.sponsorship.models.base import Base, utcnow
from shared.db import UtcDateTime


class SmeFacts(Base):
    """An SME as sponsorship's rules see it."""

    __tablename__ = "sme_facts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    province_code: Mapped[str] = mapped_column(String(2))
    kbli_code: Mapped[str] = mapped_column(String(5))
    size_class: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                    onupdate=utcnow)


class SessionFacts(Base):
    """A catalog session as sponsorship's rules see it."""

    __tablename__ = "session_facts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(36))
    module_code: Mapped[str] = mapped_column(String(4))
    title_en: Mapped[str] = mapped_column(String(200))
    province_code: Mapped[str] = mapped_column(String(2))
    start_date: Mapped[dt.date] = mapped_column(Date)
    price_per_participant: Mapped[int | None] = mapped_column(BigInteger)
    ilo_supervised: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                    onupdate=utcnow)
