"""Payments (card via Stripe or the sandbox; bank transfer with an invoice) and their refunds."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.enrolment import lifecycle
from services.enrolment.models.base import Base, new_id, utcnow
from shared.db import UtcDateTime

METHODS = ("card", "bank_transfer")


class Payment(Base):
    """One attempt to collect an enrolment's SME share: ``pending → paid → refunded``.

    A card payment points at its Stripe Checkout Session (or the sandbox's); a bank
    transfer carries its invoice number, payment reference and due date. At most one
    refund per payment (the cancellation policy decides its amount).
    """

    __tablename__ = "payments"
    __table_args__ = (
        lifecycle.PAYMENT.check_constraint(),
        CheckConstraint("method IN ('card', 'bank_transfer')", name="method"),
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint("refund_amount IS NULL OR refund_amount <= amount", name="refund"),
        CheckConstraint("(destination_account IS NULL) = (application_fee IS NULL) AND "
                        "(application_fee IS NULL OR application_fee BETWEEN 0 AND amount)",
                        name="destination"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    enrolment_id: Mapped[str] = mapped_column(ForeignKey("enrolments.id"), index=True)
    provider_id: Mapped[str] = mapped_column(String(36), index=True)
    method: Mapped[str] = mapped_column(String(20))
    gateway: Mapped[str] = mapped_column(String(10))  # stripe | sandbox | bank
    status: Mapped[str] = mapped_column(String(20), default=lifecycle.PAYMENT.initial)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="IDR")
    # card
    checkout_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    checkout_url: Mapped[str | None] = mapped_column(String(2000))
    payment_intent_id: Mapped[str | None] = mapped_column(String(255))
    # A destination charge (the provider has a Stripe connected account): where Stripe
    # paid the money, and the platform fee it kept (whole rupiah); None otherwise.
    destination_account: Mapped[str | None] = mapped_column(String(255))
    application_fee: Mapped[int | None] = mapped_column(BigInteger)
    # bank transfer
    invoice_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    payment_reference: Mapped[str | None] = mapped_column(String(40), unique=True)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    received_amount: Mapped[int | None] = mapped_column(BigInteger)
    received_on: Mapped[dt.date | None] = mapped_column(Date)
    bank_reference: Mapped[str | None] = mapped_column(String(100))
    confirmed_by: Mapped[str | None] = mapped_column(String(64))
    # refund
    refund_amount: Mapped[int | None] = mapped_column(BigInteger)
    refund_reason: Mapped[str | None] = mapped_column(String(500))
    refund_gateway_id: Mapped[str | None] = mapped_column(String(255))
    refund_bank_reference: Mapped[str | None] = mapped_column(String(100))
    refund_requested_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    refunded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # A bank refund: the day the provider's transfer went out (card: set from the webhook).
    refunded_on: Mapped[dt.date | None] = mapped_column(Date)
    failure_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                    onupdate=utcnow)
    paid_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    def __init__(self, **values) -> None:
        values.setdefault("status", lifecycle.PAYMENT.initial)
        super().__init__(**values)

    def transition(self, action: str) -> None:
        """Move along the payment lifecycle (409 if not allowed)."""
        self.status = lifecycle.PAYMENT.next(self.status, action)


class InvoiceCounter(Base):
    """The last invoice number used per provider and year (bumped atomically: no gaps)."""

    __tablename__ = "invoice_counters"
    provider_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class StripeEvent(Base):
    """A verified Stripe webhook event, stored once by its id with what it did."""

    __tablename__ = "stripe_events"
    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
