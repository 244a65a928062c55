"""Enrolments of SME teams into sessions, their participants, and the waitlist."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.enrolment import lifecycle
from services.enrolment.models.base import Base, new_id, utcnow
from shared.db import UtcDateTime
from shared.errors import Conflict

_OPEN = ", ".join(f"'{s}'" for s in lifecycle.OPEN_ENROLMENT_STATES)


class Participant(Base):
    """One person of an enrolled team (no national id numbers are kept)."""

    __tablename__ = "participants"
    __table_args__ = (
        CheckConstraint("gender IN ('female', 'male')", name="gender"),
        CheckConstraint("role IN ('manager', 'worker')", name="role"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    enrolment_id: Mapped[str] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(120))
    gender: Mapped[str] = mapped_column(String(6))
    role: Mapped[str] = mapped_column(String(7))
    position: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    # None until the completion rule has run for the session.
    completed: Mapped[bool | None] = mapped_column(Boolean)


class Enrolment(Base):
    """A team of one SME in one session: ``held → awaiting_payment → confirmed → completed``."""

    __tablename__ = "enrolments"
    __table_args__ = (
        lifecycle.ENROLMENT.check_constraint(),
        CheckConstraint("participants_count >= 1", name="participants"),
        CheckConstraint("sme_share + sponsor_share = amount_due", name="shares"),
        # One open enrolment per SME and session (cancelled/expired ones do not count).
        Index("uq_enrolments_open_per_sme", "sme_id", "session_id", unique=True,
              postgresql_where=text(f"status IN ({_OPEN})"),
              sqlite_where=text(f"status IN ({_OPEN})")),
        Index("ix_enrolments_expiring", "status", "expires_at"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(ForeignKey("offered_sessions.id"), index=True)
    sme_id: Mapped[str] = mapped_column(ForeignKey("smes.id"), index=True)
    provider_id: Mapped[str] = mapped_column(String(36), index=True)
    module_code: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(20), default=lifecycle.ENROLMENT.initial)
    participants_count: Mapped[int] = mapped_column(Integer)
    managers: Mapped[int] = mapped_column(Integer)
    workers: Mapped[int] = mapped_column(Integer)
    women: Mapped[int] = mapped_column(Integer)
    men: Mapped[int] = mapped_column(Integer)
    price_per_participant: Mapped[int] = mapped_column(BigInteger)
    amount_due: Mapped[int] = mapped_column(BigInteger)
    sponsor_share: Mapped[int] = mapped_column(BigInteger, default=0)
    sme_share: Mapped[int] = mapped_column(BigInteger)
    # Sponsorship's reservation of sponsor_share (None while no sponsor pays): quoted
    # at checkout for the hold, committed or released by sponsorship from our events.
    reservation_id: Mapped[str | None] = mapped_column(String(64))
    # The seat hold now backing this enrolment (catalog keys its seat claims by it);
    # a late payment re-takes seats under hold_id "<id>/<generation>".
    hold_id: Mapped[str] = mapped_column(String(80))
    hold_generation: Mapped[int] = mapped_column(Integer, default=1)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    payment_method: Mapped[str | None] = mapped_column(String(20))
    waitlist_entry_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(64))
    status_reason: Mapped[str | None] = mapped_column(String(500))
    status_changed_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                    onupdate=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    participants: Mapped[list[Participant]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=Participant.full_name)

    def __init__(self, **values) -> None:
        values.setdefault("status", lifecycle.ENROLMENT.initial)
        super().__init__(**values)

    @property
    def holds_seats(self) -> bool:
        """True while the enrolment holds (unpaid) seats that can expire."""
        return self.status in lifecycle.SEAT_HOLDING_STATES

    @property
    def takes_seats(self) -> bool:
        """True while seats are held or confirmed for it."""
        return self.status in ("held", "awaiting_payment", "confirmed", "completed")

    def transition(self, action: str, *, actor: str, reason: str | None = None,
                   now: dt.datetime) -> str:
        """Move along the lifecycle (409 if not allowed); returns the previous state."""
        before = self.status
        self.status = lifecycle.ENROLMENT.next(before, action)
        self.status_changed_by, self.status_reason = actor, reason
        if self.status == "confirmed":
            self.confirmed_at, self.expires_at = now, None
        if self.status in ("cancelled", "expired", "completed"):
            self.closed_at, self.expires_at = now, None
        return before

    def ensure_status(self, *allowed: str) -> None:
        """Refuse (409) unless the enrolment is in one of ``allowed``."""
        if self.status not in allowed:
            raise Conflict(f"the enrolment is {self.status}",
                           errors={"status": [f"must be one of {', '.join(allowed)}"]})

    def retake_hold(self) -> str:
        """A new hold id, for seats taken again after this enrolment's hold was released."""
        self.hold_generation += 1
        self.hold_id = f"{self.id}/{self.hold_generation}"
        return self.hold_id


class WaitlistEntry(Base):
    """A team waiting for seats in a full session, first come first served."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        lifecycle.WAITLIST.check_constraint(),
        Index("uq_waitlist_waiting_per_sme", "sme_id", "session_id", unique=True,
              postgresql_where=text("status = 'waiting'"),
              sqlite_where=text("status = 'waiting'")),
        Index("ix_waitlist_queue", "session_id", "status", "id"),
    )
    # The autoincrement id is the queue order.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                    primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("offered_sessions.id"))
    sme_id: Mapped[str] = mapped_column(ForeignKey("smes.id"), index=True)
    provider_id: Mapped[str] = mapped_column(String(36), index=True)
    participants: Mapped[list] = mapped_column(JSON)
    participants_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=lifecycle.WAITLIST.initial)
    enrolment_id: Mapped[str | None] = mapped_column(String(36))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                    onupdate=utcnow)

    def __init__(self, **values) -> None:
        values.setdefault("status", lifecycle.WAITLIST.initial)
        super().__init__(**values)

    def transition(self, action: str) -> None:
        """Move along the waitlist lifecycle (409 if not allowed)."""
        self.status = lifecycle.WAITLIST.next(self.status, action)
