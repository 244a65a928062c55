"""Helpers shared by the catalog's use cases."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.errors import Conflict, NotFound

T = TypeVar("T")


def load(session: Session, model: type[T], entity_id: str, *, lock: bool = False) -> T:
    """The row ``entity_id`` of ``model`` (locked for update if asked), or 404."""
    query = select(model).where(model.id == entity_id)
    if lock:
        query = query.with_for_update(of=model)
    found = session.scalars(query).unique().one_or_none()
    if found is None:
        raise NotFound(f"no such {model.__tablename__.rstrip('s')}")
    return found


def assign(entity: Any, changes: Mapping[str, Any]) -> bool:
    """Set attributes that differ; True if any did."""
    changed = False
    for name, value in changes.items():
        if getattr(entity, name) != value:
            setattr(entity, name, value)
            changed = True
    return changed


@contextmanager
def unique_violation(detail: str, errors: dict) -> Iterator[None]:
    """Turn a unique-constraint race (caught by the database) into a 409."""
    try:
        yield
    except IntegrityError as exc:
        raise Conflict(detail, errors=errors) from exc
