"""Funds as ledgers (openedx-ledger's rules): the balance is computed, never stored.

Every movement is a :class:`FundTransaction` row, appended and never edited; a
correction is a new row (an ``adjustment`` with a reason). Each row carries an
idempotency key made from business facts (``reserve:<hold>:<fund>``), unique per
fund, so the same fact can never be applied twice. Amounts are magnitudes
(> 0, except adjustments, which carry their sign); :mod:`services.sponsorship.ledger`
turns kinds into balances.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.sponsorship import lifecycle
from services.sponsorship.models.base import Base, new_id, utcnow
from shared.db import UtcDateTime

UNITS = ("IDR", "seats")
TRANSACTION_KINDS = ("deposit", "reservation", "commit", "release", "reversal", "adjustment")


class Fund(Base):
    """A sponsor's budget in rupiah or seats, valid from ``valid_from`` to ``valid_until``."""

    __tablename__ = "funds"
    __table_args__ = (
        lifecycle.FUND.check_constraint(),
        CheckConstraint("unit IN ('IDR', 'seats')", name="unit"),
        CheckConstraint("valid_from <= valid_until", name="validity"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    sponsor_id: Mapped[str] = mapped_column(ForeignKey("sponsors.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(5))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default=lifecycle.FUND.initial)
    created_by: Mapped[str] = mapped_column(String(64))
    closed_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)

    def valid_on(self, day: dt.date) -> bool:
        """Whether the fund may pay for something on ``day``."""
        return self.status == "open" and self.valid_from <= day <= self.valid_until

    def close(self, reason: str) -> None:
        """No new reservations from now on (409 if already closed)."""
        self.status = lifecycle.FUND.next(self.status, "close")
        self.closed_reason = reason


class FundTransaction(Base):
    """One ledger row: what happened to a fund, by how much, and why."""

    __tablename__ = "fund_transactions"
    __table_args__ = (
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in TRANSACTION_KINDS)})",
                        name="kind"),
        # Only adjustments carry a sign (and a reason); every other row is a magnitude.
        CheckConstraint("(kind = 'adjustment' AND amount <> 0 AND reason IS NOT NULL) "
                        "OR (kind <> 'adjustment' AND amount > 0)", name="amount"),
        UniqueConstraint("fund_id", "idempotency_key", name="uq_fund_transactions_key"),
        Index("ix_fund_transactions_reservation", "reservation_id"),
    )
    # BIGINT on PostgreSQL; SQLite autoincrements only an INTEGER primary key.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    fund_id: Mapped[str] = mapped_column(ForeignKey("funds.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    amount: Mapped[int] = mapped_column(BigInteger)
    idempotency_key: Mapped[str] = mapped_column(String(160))
    reservation_id: Mapped[str | None] = mapped_column(String(36))
    sme_id: Mapped[str | None] = mapped_column(String(36), index=True)
    reason: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
