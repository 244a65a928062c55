"""The providers read model, kept from catalog's provider events."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from services.enrolment.models.base import Base, utcnow
from shared.db import UtcDateTime


class KnownProvider(Base):
    """A catalog provider as enrolment knows it (from ``score.catalog.provider.*``).

    Only what payments and statements need: its name on a statement, and the Stripe
    connected account card checkouts pay into (destination charges) when it has one.
    """

    __tablename__ = "providers"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    stripe_account_id: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow,
                                                    onupdate=utcnow)
