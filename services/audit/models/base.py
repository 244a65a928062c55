"""Audit's declarative base (the shared constraint names)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.persistence import service_metadata


class Base(DeclarativeBase):
    """Declarative base of audit (constraint names are stable for migrations)."""

    metadata = service_metadata()
