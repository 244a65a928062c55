"""Small and medium enterprises: the customers who enrol teams."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.enrolment.models.base import Base, new_id, utcnow
from shared.db import UtcDateTime


class Sme(Base):
    """An enterprise as registered by one of its users (an ``sme_user`` of it afterwards)."""

    __tablename__ = "smes"
    __table_args__ = (
        CheckConstraint("employees_total = employees_women + employees_men", name="workforce"),
        CheckConstraint("employees_total >= 1", name="employees"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    legal_name: Mapped[str] = mapped_column(String(200))
    nib: Mapped[str] = mapped_column(String(13), unique=True)
    npwp: Mapped[str | None] = mapped_column(String(16))
    kbli_code: Mapped[str] = mapped_column(String(5))
    kbli_version: Mapped[str] = mapped_column(String(4))
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(500))
    employees_total: Mapped[int] = mapped_column(Integer)
    employees_women: Mapped[int] = mapped_column(Integer)
    employees_men: Mapped[int] = mapped_column(Integer)
    size_class: Mapped[str] = mapped_column(String(20))
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str] = mapped_column(String(30))
    registered_by: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                    onupdate=utcnow)
