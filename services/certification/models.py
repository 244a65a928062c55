"""Certification's entities.

Entities guard their own invariants: state changes go through methods that ask
the service's lifecycle tables (``shared.lifecycle.Lifecycle``) for the next
state; use cases never assign ``status``. Timestamps come from ``shared.clock``.
"""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.persistence import service_metadata


class Base(DeclarativeBase):
    """Declarative base of certification (constraint names are stable for migrations)."""

    metadata = service_metadata()
