"""Session search and session lists: filters, text search, sort, keyset pagination.

Public search lists **published** sessions of **approved** providers: the ones an
SME can still join. Sessions in progress, completed or cancelled stay readable
by id (and in their provider's list) but are not offered in search.

Pages are keyset-paginated: the opaque cursor carries the sort key and id of
the last row, and the next page starts strictly after it. Rows inserted
between two requests therefore never shift a page: nothing is skipped or
repeated (a new row appears if it sorts after the cursor). Rows come straight
from Core selects into plain dicts – the hottest path of the marketplace
skips ORM and marshmallow dumping (the shape is ``schemas.SessionSummary``).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import json
from typing import Any

from sqlalchemy import or_, select, tuple_

from services.catalog import rules
from services.catalog.models import Course, Provider, TrainingSession
from shared.db import Database

SESSIONS, COURSES, PROVIDERS = TrainingSession.__table__, Course.__table__, Provider.__table__
S, C, P = SESSIONS.c, COURSES.c, PROVIDERS.c
SORTS = {"date": (S.start_date, False), "-date": (S.start_date, True),
         "price": (S.price_per_participant, False), "-price": (S.price_per_participant, True)}
MAX_TERMS = 5


@dataclasses.dataclass(frozen=True)
class Cursor:
    """Where a page ends: sort order, that row's sort key and id."""

    sort: str
    key: Any
    id: str

    def encode(self) -> str:
        """The opaque token handed to clients."""
        key = self.key.isoformat() if isinstance(self.key, dt.date) else self.key
        raw = json.dumps([self.sort, key, self.id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        """Parse a token (``ValueError`` if it is not one of ours)."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            sort, key, id_ = json.loads(raw)
        except (binascii.Error, ValueError, TypeError) as exc:
            raise ValueError("not a valid cursor") from exc
        if sort not in SORTS or not isinstance(id_, str) or not id_:
            raise ValueError("not a valid cursor")
        if sort.lstrip("-") == "date":
            if not isinstance(key, str):
                raise ValueError("not a valid cursor")
            key = dt.date.fromisoformat(key)
        elif isinstance(key, bool) or not isinstance(key, int):
            raise ValueError("not a valid cursor")
        return cls(sort, key, id_)


def escape_like(term: str) -> str:
    """``term`` as a LIKE substring pattern (``\\`` escapes wildcards)."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _columns():
    return (S.id, S.status, S.course_id, S.provider_id, S.start_date, S.end_date,
            S.enrolment_deadline, S.venue_address, S.city, S.province_code, S.capacity,
            S.seats_taken, S.price_per_participant, S.ilo_supervised,
            S.estimated_delivery_cost, S.cancel_reason, C.module_code, C.title_id, C.title_en,
            C.language, C.classroom_days, C.consultancy_visits,
            C.max_participants_per_enterprise, P.legal_name)


def _filters(args: dict[str, Any]) -> list:
    """WHERE clauses for the search filters present in ``args``."""
    where = []
    equal = {"module": S.module_code, "province": S.province_code, "provider": S.provider_id}
    where += [column == args[name] for name, column in equal.items() if name in args]
    if "city" in args:
        where.append(S.city_key == rules.city_key(args["city"]))
    if "date_from" in args:
        where.append(S.start_date >= args["date_from"])
    if "date_to" in args:
        where.append(S.start_date <= args["date_to"])
    if "price_min" in args:
        where.append(S.price_per_participant >= args["price_min"])
    if "price_max" in args:
        where.append(S.price_per_participant <= args["price_max"])
    if args.get("has_free_seats") is True:
        where.append(S.seats_taken < S.capacity)
    elif args.get("has_free_seats") is False:
        where.append(S.seats_taken >= S.capacity)
    courses = []
    if "language" in args:
        courses.append(C.language == args["language"])
    for term in args.get("q", "").split()[:MAX_TERMS]:
        pattern = escape_like(term)
        courses.append(or_(*(column.ilike(pattern, escape="\\") for column in (
            C.title_id, C.title_en, C.description_id, C.description_en))))
    if courses:
        # Few courses, many sessions: match courses once, then walk sessions.
        where.append(S.course_id.in_(select(C.id).where(*courses)))
    return where


def _page(db: Database, where: list, args: dict[str, Any]) -> dict[str, Any]:
    sort, limit = args.get("sort", "date"), args.get("limit", 20)
    column, descending = SORTS[sort]
    cursor: Cursor | None = args.get("cursor")
    if cursor is not None:
        position = tuple_(column, S.id)
        bound = tuple_(cursor.key, cursor.id)
        where = [*where, position < bound if descending else position > bound]
    order = (column.desc(), S.id.desc()) if descending else (column.asc(), S.id.asc())
    query = (select(*_columns()).select_from(SESSIONS.join(COURSES, C.id == S.course_id)
                                             .join(PROVIDERS, P.id == S.provider_id))
             .where(*where).order_by(*order).limit(limit + 1))
    with db.reading() as session:
        rows = session.execute(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more:
        last = rows[-1]
        next_cursor = Cursor(sort, getattr(last, column.key), last.id).encode()
    return {"items": [summary(row) for row in rows], "next_cursor": next_cursor,
            "limit": limit}


def search_sessions(db: Database, args: dict[str, Any]) -> dict[str, Any]:
    """One page of published sessions of approved providers matching ``args``."""
    where = [S.status == "published", P.status == "approved", *_filters(args)]
    return _page(db, where, args)


def provider_sessions(db: Database, provider_id: str, args: dict[str, Any], *,
                      private: bool) -> dict[str, Any]:
    """One page of a provider's sessions (drafts only when ``private``)."""
    where = [S.provider_id == provider_id]
    if "status" in args:
        where.append(S.status == args["status"])
    if not private:
        where.append(S.published_at.is_not(None))
    return _page(db, where, args)


def summary(row) -> dict[str, Any]:
    """A result row as ``schemas.SessionSummary``."""
    free = rules.seats_free(row.capacity, row.seats_taken)
    return {
        "id": row.id, "status": row.status,
        "course": {"id": row.course_id, "module_code": row.module_code,
                   "title_id": row.title_id, "title_en": row.title_en,
                   "language": row.language, "classroom_days": row.classroom_days,
                   "consultancy_visits": row.consultancy_visits,
                   "max_participants_per_enterprise": row.max_participants_per_enterprise},
        "provider": {"id": row.provider_id, "legal_name": row.legal_name},
        "start_date": row.start_date.isoformat(), "end_date": row.end_date.isoformat(),
        "enrolment_deadline": row.enrolment_deadline.isoformat(),
        "venue_address": row.venue_address, "city": row.city,
        "province_code": row.province_code, "capacity": row.capacity,
        "seats_taken": row.seats_taken, "seats_free": free, "is_full": free == 0,
        "price_per_participant": row.price_per_participant,
        "ilo_supervised": row.ilo_supervised,
        "estimated_delivery_cost": row.estimated_delivery_cost,
        "cancel_reason": row.cancel_reason,
    }
