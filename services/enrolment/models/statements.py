"""Issued settlement statements: a frozen snapshot of a provider's month and its lines.

The figures are those of :mod:`services.enrolment.ledger` at the moment of issue
(fee percent included), never recomputed: what the provider was told is what
it is paid.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.enrolment import ledger, lifecycle
from services.enrolment.models.base import Base, new_id, utcnow
from shared.db import UtcDateTime

_KINDS = ", ".join(f"'{k}'" for k in ledger.KINDS)


class StatementLine(Base):
    """One money movement of an issued statement (a :class:`ledger.Line`, frozen)."""

    __tablename__ = "statement_lines"
    __table_args__ = (CheckConstraint(f"kind IN ({_KINDS})", name="kind"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                    primary_key=True, autoincrement=True)
    statement_id: Mapped[str] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[str] = mapped_column(String(36))
    enrolment_id: Mapped[str] = mapped_column(String(36))
    booked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    amount: Mapped[int] = mapped_column(BigInteger)
    platform_cash: Mapped[bool] = mapped_column(Boolean)
    fee: Mapped[int] = mapped_column(BigInteger)
    fee_withheld: Mapped[int | None] = mapped_column(BigInteger)
    reference: Mapped[str | None] = mapped_column(String(255))


class Statement(Base):
    """A provider's month, issued: ``issued → paid`` (one per provider and month)."""

    __tablename__ = "statements"
    __table_args__ = (
        lifecycle.STATEMENT.check_constraint(),
        UniqueConstraint("provider_id", "month"),
        CheckConstraint("fee_percent >= 0 AND fee_percent <= 100", name="fee_percent"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    provider_id: Mapped[str] = mapped_column(String(36), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, Jakarta
    status: Mapped[str] = mapped_column(String(20), default=lifecycle.STATEMENT.initial)
    currency: Mapped[str] = mapped_column(String(3), default="IDR")
    fee_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    card_collected: Mapped[int] = mapped_column(BigInteger)
    card_collected_direct: Mapped[int] = mapped_column(BigInteger)
    card_refunded: Mapped[int] = mapped_column(BigInteger)
    bank_received: Mapped[int] = mapped_column(BigInteger)
    bank_refunded: Mapped[int] = mapped_column(BigInteger)
    sponsor_committed: Mapped[int] = mapped_column(BigInteger)
    sponsor_reversed: Mapped[int] = mapped_column(BigInteger)
    platform_cash: Mapped[int] = mapped_column(BigInteger)
    fee: Mapped[int] = mapped_column(BigInteger)
    fee_withheld: Mapped[int] = mapped_column(BigInteger)
    net_payable: Mapped[int] = mapped_column(BigInteger)
    issued_by: Mapped[str] = mapped_column(String(64))
    # Settlement of the remainder: a bank transfer one way or the other (none when 0).
    paid_by: Mapped[str | None] = mapped_column(String(64))
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    bank_reference: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                    onupdate=utcnow)
    paid_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    lines: Mapped[list[StatementLine]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=StatementLine.position)

    def __init__(self, **values) -> None:
        values.setdefault("status", lifecycle.STATEMENT.initial)
        super().__init__(**values)

    @property
    def issued_at(self) -> dt.datetime:
        """When the statement was issued (its row's creation)."""
        return self.created_at

    def transition(self, action: str) -> None:
        """Move along the statement lifecycle (409 if not allowed)."""
        self.status = lifecycle.STATEMENT.next(self.status, action)
