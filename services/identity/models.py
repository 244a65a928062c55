"""Users, their organisation memberships, refresh tokens, machine clients, login failures."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UtcDateTime
from shared.persistence import service_metadata

# The roles a person may pick when signing up; the others are granted by an admin.
SELF_SERVICE_ROLES = ("provider_staff", "sme_user", "sponsor_staff", "trainer")
ORG_TYPES = ("provider", "sme", "sponsor", "trainer", "ilo")
CLIENT_ROLES = ("ilo_auditor", "service")
# Which organisation type each membership role belongs to.
ROLE_ORG_TYPES = {
    "provider_staff": "provider",
    "sme_user": "sme",
    "sponsor_staff": "sponsor",
    "trainer": "trainer",
    "ilo_auditor": "ilo",
    "platform_admin": "ilo",
}


def new_id() -> str:
    """A fresh random identifier."""
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    """Declarative base of the identity service (constraint names are stable for migrations)."""

    metadata = service_metadata()


class User(Base):
    """A person who signs in with email and password."""

    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    # None for accounts created by the platform (the bootstrap admin).
    intended_role: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class Membership(Base):
    """A user's role in one organisation; revocation keeps the row for the audit trail."""

    __tablename__ = "memberships"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    org_type: Mapped[str] = mapped_column(String(16))
    org_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    granted_by: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        # One active membership per user and organisation (revoked ones may repeat).
        Index("uq_memberships_active", "user_id", "org_type", "org_id", unique=True,
              sqlite_where=revoked_at.is_(None), postgresql_where=revoked_at.is_(None)),
    )

    @property
    def active(self) -> bool:
        """True until revoked."""
        return self.revoked_at is None


class RefreshToken(Base):
    """One single-use refresh token (only its hash); rotations share a ``family_id``."""

    __tablename__ = "refresh_tokens"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family_id: Mapped[str] = mapped_column(String(36), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    membership_id: Mapped[str | None] = mapped_column(ForeignKey("memberships.id"), index=True)
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class Client(Base):
    """A machine client (e.g. the ILO's feed reader) using the client-credentials grant."""

    __tablename__ = "clients"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    org_type: Mapped[str | None] = mapped_column(String(16))
    org_id: Mapped[str | None] = mapped_column(String(64))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class LoginFailure(Base):
    """One failed password attempt, keyed by a hash of the email or of the client IP."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)

    __table_args__ = (Index("ix_login_failures_lookup", "scope", "key", "failed_at"),)
