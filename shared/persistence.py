"""What every service's models and use cases share: constraint names, loading, races.

Each service declares its own base on a fresh :func:`service_metadata`::

    class Base(DeclarativeBase):
        metadata = service_metadata()

so constraints get the same, predictable names everywhere (``uq_users_email``,
``fk_courses_provider_id_providers``, ...) on SQLite and PostgreSQL alike, and a
later migration can drop or alter them by name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import MetaData, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.errors import Conflict, NotFound

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

T = TypeVar("T")


def service_metadata() -> MetaData:
    """A new MetaData with the shared constraint naming convention."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def load(session: Session, model: type[T], entity_id: Any, *, lock: bool = False,
         entity: str | None = None) -> T:
    """The row ``entity_id`` of ``model`` (locked for update if asked), or 404.

    The 404 says ``no such <entity>``; by default the table name less its plural
    ``s`` (``no such provider`` for ``providers``).
    """
    query = select(model).where(model.id == entity_id)  # type: ignore[attr-defined]
    if lock:
        query = query.with_for_update(of=model)
    found = session.scalars(query).unique().one_or_none()
    if found is None:
        table: str = model.__tablename__  # type: ignore[attr-defined]
        raise NotFound(f"no such {entity or table.removesuffix('s')}")
    return found


def assign(entity: Any, changes: Mapping[str, Any]) -> bool:
    """Set the attributes of ``entity`` that differ from ``changes``; True if any did."""
    changed = False
    for name, value in changes.items():
        if getattr(entity, name) != value:
            setattr(entity, name, value)
            changed = True
    return changed


@contextmanager
def unique_violation(detail: str, errors: Mapping[str, list[str]]) -> Iterator[None]:
    """Turn a unique-constraint race (caught by the database at flush) into a 409."""
    try:
        yield
    except IntegrityError as exc:
        raise Conflict(detail, errors=dict(errors)) from exc
