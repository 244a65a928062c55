"""Catalog entities: providers, courses, sessions (and reference data, seat claims).

Entities guard their own invariants: every state change goes through a method
that asks :mod:`services.catalog.lifecycle` whether it is allowed and checks
the rules of :mod:`services.catalog.rules`. Use cases never assign ``status``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.catalog import lifecycle, rules
from shared import clock
from shared.db import UtcDateTime
from shared.errors import Conflict, ValidationFailed
from shared.lifecycle import Lifecycle
from shared.persistence import service_metadata


class Base(DeclarativeBase):
    """Declarative base of the catalog (constraint names are stable for migrations)."""

    metadata = service_metadata()


def new_id() -> str:
    """A fresh entity id."""
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    """Now, in UTC (the process's clock)."""
    return clock.now()


class _StartsInInitialState:
    """Entities are in their lifecycle's initial state from construction, not from flush."""

    machine: Lifecycle

    def __init__(self, **values) -> None:
        values.setdefault("status", self.machine.initial)
        super().__init__(**values)


class Module(Base):
    """A SCORE training module (reference data, seeded by migration)."""

    __tablename__ = "modules"
    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    name_id: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    prerequisite_code: Mapped[str | None] = mapped_column(ForeignKey("modules.code"))


class Province(Base):
    """An Indonesian province: BPS code, ISO 3166-2:ID code, name (seeded by migration)."""

    __tablename__ = "provinces"
    bps_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    iso_code: Mapped[str] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(60))


provider_provinces = Table(
    "provider_provinces", Base.metadata,
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True),
    Column("province_code", ForeignKey("provinces.bps_code"), primary_key=True),
)


class Provider(_StartsInInitialState, Base):
    """A private training provider: ``pending → approved ⇄ suspended``."""

    machine = lifecycle.PROVIDER
    __tablename__ = "providers"
    __table_args__ = (lifecycle.PROVIDER.check_constraint(),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    legal_name: Mapped[str] = mapped_column(String(200))
    npwp: Mapped[str] = mapped_column(String(16), unique=True)
    contact_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(30))
    address: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str | None] = mapped_column(String(300))
    # Its Stripe connected account (acct_...), set by a platform admin once Stripe has
    # onboarded it: enrolment then charges cards straight to it (destination charges).
    stripe_account_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default=lifecycle.PROVIDER.initial, index=True)
    status_reason: Mapped[str | None] = mapped_column(String(500))
    registered_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                    onupdate=utcnow)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    provinces: Mapped[list[Province]] = relationship(
        secondary=provider_provinces, order_by=Province.bps_code, lazy="selectin")

    @property
    def provinces_served(self) -> list[str]:
        """BPS codes of the provinces this provider serves."""
        return [p.bps_code for p in self.provinces]

    @property
    def is_approved(self) -> bool:
        """Only approved providers publish and appear in public search."""
        return self.status == "approved"

    def ensure_editable(self) -> None:
        """Refuse profile edits in states that do not allow them."""
        lifecycle.PROVIDER.next(self.status, "update")

    def approve(self, reason: str | None, now: dt.datetime) -> None:
        """Approve a pending provider, or reinstate a suspended one."""
        self.status = lifecycle.PROVIDER.next(self.status, "approve")
        self.status_reason = reason
        self.approved_at = now

    def suspend(self, reason: str) -> None:
        """Suspend an approved provider: its sessions leave public search."""
        self.status = lifecycle.PROVIDER.next(self.status, "suspend")
        self.status_reason = reason


class Course(_StartsInInitialState, Base):
    """A provider's offering of one SCORE module: ``draft → published → archived``."""

    machine = lifecycle.COURSE
    __tablename__ = "courses"
    __table_args__ = (
        lifecycle.COURSE.check_constraint(),
        UniqueConstraint("provider_id", "module_code", "title_id"),
        UniqueConstraint("provider_id", "module_code", "title_en"),
        CheckConstraint("price_per_participant >= 0", name="price"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"), index=True)
    module_code: Mapped[str] = mapped_column(ForeignKey("modules.code"))
    title_id: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description_id: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2))
    classroom_days: Mapped[int] = mapped_column(Integer)
    consultancy_visits: Mapped[int] = mapped_column(Integer)
    price_per_participant: Mapped[int] = mapped_column(BigInteger)
    max_participants_per_enterprise: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=lifecycle.COURSE.initial)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                    onupdate=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    provider: Mapped[Provider] = relationship(lazy="joined", innerjoin=True)
    module: Mapped[Module] = relationship(lazy="joined", innerjoin=True)

    def ensure_editable(self) -> None:
        """Archived courses are frozen."""
        lifecycle.COURSE.next(self.status, "update")

    def publish(self, now: dt.datetime) -> None:
        """Offer the course publicly (its provider must be approved)."""
        target = lifecycle.COURSE.next(self.status, "publish")
        if not self.provider.is_approved:
            raise Conflict("only approved providers publish",
                           errors={"provider": [f"provider is {self.provider.status}"]})
        self.status, self.published_at = target, now

    def archive(self) -> None:
        """Withdraw the course: no new sessions; existing sessions run on."""
        self.status = lifecycle.COURSE.next(self.status, "archive")


class SessionTrainer(Base):
    """A trainer assigned to a session, as lead or co-trainer."""

    __tablename__ = "session_trainers"
    __table_args__ = (CheckConstraint("role IN ('lead', 'co')", name="role"),)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True)
    trainer_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(4))


class TrainingSession(_StartsInInitialState, Base):
    """A cohort of a course: ``draft → published → in_progress → completed`` or cancelled."""

    machine = lifecycle.SESSION
    __tablename__ = "sessions"
    __table_args__ = (
        lifecycle.SESSION.check_constraint(),
        CheckConstraint("capacity >= 1", name="capacity"),
        CheckConstraint("end_date >= start_date", name="dates"),
        CheckConstraint("enrolment_deadline <= start_date", name="deadline"),
        # Public search walks one of these in sort order and stops after a page.
        Index("ix_sessions_search_date", "status", "start_date", "id"),
        Index("ix_sessions_search_price", "status", "price_per_participant", "id"),
        Index("ix_sessions_search_module", "module_code", "status", "start_date", "id"),
        Index("ix_sessions_search_province", "province_code", "status", "start_date", "id"),
        Index("ix_sessions_search_city", "city_key", "status", "start_date", "id"),
        Index("ix_sessions_provider", "provider_id", "start_date", "id"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"), index=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"))
    module_code: Mapped[str] = mapped_column(ForeignKey("modules.code"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    enrolment_deadline: Mapped[dt.date] = mapped_column(Date)
    venue_address: Mapped[str] = mapped_column(String(500))
    city: Mapped[str] = mapped_column(String(100))
    city_key: Mapped[str] = mapped_column(String(100))
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.bps_code"))
    capacity: Mapped[int] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    ilo_supervised: Mapped[bool] = mapped_column(Boolean, default=False)
    estimated_delivery_cost: Mapped[int] = mapped_column(BigInteger)
    price_per_participant: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default=lifecycle.SESSION.initial)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                    onupdate=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    course: Mapped[Course] = relationship(lazy="joined", innerjoin=True)
    trainers: Mapped[list[SessionTrainer]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=SessionTrainer.trainer_id)

    @property
    def seats_free(self) -> int:
        """Seats still free."""
        return rules.seats_free(self.capacity, self.seats_taken)

    @property
    def is_full(self) -> bool:
        """True once every seat is taken."""
        return self.seats_free == 0

    def ensure_editable(self) -> None:
        """Only draft and published sessions may be edited."""
        lifecycle.SESSION.next(self.status, "update")

    def set_capacity(self, capacity: int) -> None:
        """Change capacity; never below one, never below the seats already taken."""
        errors = rules.capacity_errors(capacity, self.seats_taken)
        if errors and capacity >= 1:
            raise Conflict("capacity would fall below the seats already taken", errors=errors)
        if errors:
            raise ValidationFailed("invalid capacity", errors=errors)
        self.capacity = capacity

    def set_trainers(self, trainers: list[dict]) -> None:
        """Replace the assigned trainers (distinct, at most one lead)."""
        errors = rules.trainer_errors(trainers, publishing=self.status != "draft")
        if errors:
            raise ValidationFailed("invalid trainers", errors=errors)
        self.trainers = [SessionTrainer(trainer_id=t["trainer_id"], role=t["role"])
                         for t in trainers]

    def trainer_list(self) -> list[dict]:
        """Trainers as plain data."""
        return [{"trainer_id": t.trainer_id, "role": t.role} for t in self.trainers]

    def publish(self, today: dt.date, now: dt.datetime) -> None:
        """Open the session for enrolment, freezing the course price into it."""
        target = lifecycle.SESSION.next(self.status, "publish")
        course, provider = self.course, self.course.provider
        if not provider.is_approved:
            raise Conflict("only approved providers publish",
                           errors={"provider": [f"provider is {provider.status}"]})
        if course.status != "published":
            raise Conflict("the course is not published",
                           errors={"course_id": [f"course is {course.status}"]})
        errors = rules.merge(
            rules.publishable_date_errors(self.start_date, self.enrolment_deadline, today),
            rules.trainer_errors(self.trainer_list(), publishing=True))
        if errors:
            raise ValidationFailed("the session cannot be published yet", errors=errors)
        self.status, self.published_at = target, now
        self.price_per_participant = course.price_per_participant

    def start(self, today: dt.date) -> None:
        """The classroom workshop has begun (not before its start date)."""
        target = lifecycle.SESSION.next(self.status, "start")
        if today < self.start_date:
            raise Conflict("the session has not reached its start date",
                           errors={"start_date": [f"starts on {self.start_date.isoformat()}"]})
        self.status = target

    def complete(self, today: dt.date) -> None:
        """Delivery is finished (not before its end date)."""
        target = lifecycle.SESSION.next(self.status, "complete")
        if today < self.end_date:
            raise Conflict("the session has not reached its end date",
                           errors={"end_date": [f"ends on {self.end_date.isoformat()}"]})
        self.status = target

    def cancel(self, reason: str) -> None:
        """Call the session off (never once completed)."""
        self.status = lifecycle.SESSION.next(self.status, "cancel")
        self.cancel_reason = reason


class SeatClaim(Base):
    """Seats one hold of an enrolment takes in a session (the seats read model's ledger)."""

    __tablename__ = "seat_claims"
    __table_args__ = (CheckConstraint("state IN ('held', 'confirmed', 'released')",
                                      name="state"),)
    hold_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    enrolment_id: Mapped[str] = mapped_column(String(64), index=True)
    session_id: Mapped[str] = mapped_column(String(36), index=True)
    participants: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                    onupdate=utcnow)


class SearchVersion(Base):
    """One row: a counter bumped by every transaction that can change public search results.

    Bumps are serialised by this row's lock, so versions commit in order; each bump
    writes one :class:`SearchChange`. The bump is made by
    :mod:`services.catalog.search_freshness`, never by use cases.
    """

    __tablename__ = "catalog_search_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)


class SearchChange(Base):
    """What the transaction that made ``version`` changed: one session, or anything.

    ``session_id`` is the one session a transaction inserted, updated or deleted
    (an edit, a publication, a seat move); ``NULL`` means it may have changed any
    result (providers, courses, several sessions). ``seats_only``: nothing but that
    session's seats taken changed. Cached search pages read these to drop only the
    pages a change can affect, and to patch seat counts into the others. Old rows
    are trimmed.
    """

    __tablename__ = "catalog_search_changes"
    version: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    session_id: Mapped[str | None] = mapped_column(String(36))
    seats_only: Mapped[bool] = mapped_column(Boolean, default=False)


class KnownTrainer(Base):
    """A trainer certification registered (its ``trainer.registered`` / ``updated`` events).

    The read model behind the rule that a session names registered trainers only;
    its id is the trainer's user id, as in certification and in session trainers.
    """

    __tablename__ = "trainers"
    __table_args__ = (CheckConstraint("gender IN ('female', 'male')", name="gender"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    gender: Mapped[str] = mapped_column(String(6))
    province_code: Mapped[str] = mapped_column(String(2))
    provider_id: Mapped[str | None] = mapped_column(String(36), index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                    onupdate=utcnow)


class TrainerModuleStatus(Base):
    """A trainer's status in one SCORE module, as certification's last event said.

    No foreign key to :class:`KnownTrainer`: certification's events for a trainer
    and for its modules have different subjects, so a status may arrive first.
    """

    __tablename__ = "trainer_module_statuses"
    trainer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    module_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    status: Mapped[str] = mapped_column(String(30))
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                    onupdate=utcnow)
