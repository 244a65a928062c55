"""Reservations: a sponsor share held for one enrolment's seat hold, line by fund.

One reservation per seat hold (``hold_id`` is unique): a checkout retried, or a
card checkout replaced by a bank invoice, finds the first one. The facts the
quote used (team mix, SME and session attributes) are kept on it, so reports
say what the money bought without asking other services.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.sponsorship import lifecycle
from services.sponsorship.models.base import Base, new_id, utcnow
from shared.db import UtcDateTime


class Reservation(Base):
    """``reserved → committed → reversed`` or ``reserved → released``."""

    __tablename__ = "reservations"
    __table_args__ = (
        lifecycle.RESERVATION.check_constraint(),
        CheckConstraint("amount > 0 AND amount <= price", name="amount"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    hold_id: Mapped[str] = mapped_column(String(80), unique=True)
    enrolment_id: Mapped[str] = mapped_column(String(36), index=True)
    sme_id: Mapped[str] = mapped_column(String(36), index=True)
    session_id: Mapped[str] = mapped_column(String(36))
    provider_id: Mapped[str] = mapped_column(String(36), index=True)
    module_code: Mapped[str] = mapped_column(String(4))
    session_province_code: Mapped[str] = mapped_column(String(2))
    sme_province_code: Mapped[str] = mapped_column(String(2))
    sme_size_class: Mapped[str] = mapped_column(String(20))
    participants: Mapped[int] = mapped_column(Integer)
    managers: Mapped[int] = mapped_column(Integer)
    workers: Mapped[int] = mapped_column(Integer)
    women: Mapped[int] = mapped_column(Integer)
    men: Mapped[int] = mapped_column(Integer)
    price: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default=lifecycle.RESERVATION.initial)
    status_reason: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    # Set by enrolment.completed: the team finished the training this money bought.
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    settled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    lines: Mapped[list[ReservationLine]] = relationship(
        back_populates="reservation", cascade="all, delete-orphan",
        order_by="ReservationLine.position", lazy="selectin")

    def transition(self, action: str, reason: str | None, now: dt.datetime) -> str:
        """Move along the reservation lifecycle (409 if not allowed); the previous state."""
        before = self.status
        self.status = lifecycle.RESERVATION.next(before, action)
        self.status_reason = reason
        self.settled_at = now
        return before


class ReservationLine(Base):
    """The part of a reservation one offer (and so one fund) pays."""

    __tablename__ = "reservation_lines"
    __table_args__ = (CheckConstraint("amount > 0 AND units > 0", name="amounts"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reservation_id: Mapped[str] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    offer_id: Mapped[str] = mapped_column(ForeignKey("offers.id"), index=True)
    fund_id: Mapped[str] = mapped_column(ForeignKey("funds.id"), index=True)
    sponsor_id: Mapped[str] = mapped_column(String(36), index=True)
    # Rupiah this line pays, and what it takes from the fund (rupiah or seats).
    amount: Mapped[int] = mapped_column(BigInteger)
    units: Mapped[int] = mapped_column(BigInteger)
    participants: Mapped[int] = mapped_column(Integer)
    reservation: Mapped[Reservation] = relationship(back_populates="lines")



