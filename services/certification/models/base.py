"""The declarative base (the shared constraint naming) and column defaults."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import DeclarativeBase

from shared import clock
from shared.persistence import service_metadata


class Base(DeclarativeBase):
    """Declarative base of certification (constraint names are stable for migrations)."""

    metadata = service_metadata()


def new_id() -> str:
    """A fresh entity id."""
    return str(uuid.uuid4())


utcnow = clock.now
