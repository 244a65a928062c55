"""The portal's one table: browser sessions, kept server-side.

A browser holds only an opaque random id in its cookie; the row is keyed by that
id's SHA-256, so a copy of the table cannot be replayed as cookies. The user's
access and refresh tokens live in ``data`` and never reach the browser.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.persistence import service_metadata


class Base(DeclarativeBase):
    """Declarative base of portal (constraint names are stable for migrations)."""

    metadata = service_metadata()


class BrowserSession(Base):
    """One browser's session: CSRF token, language, and – once logged in – the user."""

    __tablename__ = "browser_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # Idle expiry, pushed forward as the session is used (at most once a minute).
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                    index=True)
