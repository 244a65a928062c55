"""The sessions read model, kept from catalog's events, with this service's seat counters.

Catalog's events overwrite everything but ``seats_held`` and ``seats_confirmed``,
which only enrolment's own use cases move, each in one conditional UPDATE
(:mod:`services.enrolment.service.seats`), never by read-then-write.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.enrolment.models.base import Base, utcnow
from shared.db import UtcDateTime


class OfferedSession(Base):
    """A catalog session as enrolment knows it (from ``score.catalog.session.*``)."""

    __tablename__ = "offered_sessions"
    __table_args__ = (
        CheckConstraint("seats_held >= 0 AND seats_confirmed >= 0", name="seats"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(36), index=True)
    course_id: Mapped[str] = mapped_column(String(36))
    module_code: Mapped[str] = mapped_column(String(4))
    title_id: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    enrolment_deadline: Mapped[dt.date] = mapped_column(Date)
    city: Mapped[str] = mapped_column(String(100))
    province_code: Mapped[str] = mapped_column(String(2))
    capacity: Mapped[int] = mapped_column(Integer)
    price_per_participant: Mapped[int | None] = mapped_column(BigInteger)
    max_participants_per_enterprise: Mapped[int] = mapped_column(Integer)
    trainers: Mapped[list] = mapped_column(JSON, default=list)
    ilo_supervised: Mapped[bool] = mapped_column(Boolean, default=False)
    estimated_delivery_cost: Mapped[int] = mapped_column(BigInteger)
    classroom_days: Mapped[int] = mapped_column(Integer, default=2)
    consultancy_visits: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))
    seats_held: Mapped[int] = mapped_column(Integer, default=0)
    seats_confirmed: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                    onupdate=utcnow)

    @property
    def seats_free(self) -> int:
        """Seats neither held nor confirmed (never negative, even after a capacity cut)."""
        return max(0, self.capacity - self.seats_held - self.seats_confirmed)

    def trainer_ids(self) -> set[str]:
        """Ids of the trainers assigned to this session."""
        return {t["trainer_id"] for t in self.trainers}
