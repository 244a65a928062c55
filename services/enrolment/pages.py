"""Keyset pagination of enrolment lists, newest first (as catalog's session lists).

The opaque cursor carries the creation time and id of a page's last row; the next
page starts strictly after it, so rows created between two requests never shift
a page: nothing is skipped or repeated.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import json
from typing import Any

from sqlalchemy import Select, literal, tuple_
from sqlalchemy.orm import Session

from shared.db import UtcDateTime


@dataclasses.dataclass(frozen=True)
class Cursor:
    """Where a page ends: that row's creation time and id."""

    created_at: dt.datetime
    id: str

    def encode(self) -> str:
        """The opaque token handed to clients."""
        raw = json.dumps([self.created_at.isoformat(), self.id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        """Parse a token (``ValueError`` if it is not one of ours)."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            created, id_ = json.loads(raw)
            created_at = dt.datetime.fromisoformat(created)
        except (binascii.Error, ValueError, TypeError) as exc:
            raise ValueError("not a valid cursor") from exc
        if not isinstance(id_, str) or not id_ or created_at.tzinfo is None:
            raise ValueError("not a valid cursor")
        return cls(created_at, id_)


def newest_first(session: Session, query: Select, model: Any,
                 args: dict[str, Any]) -> dict[str, Any]:
    """One page of ``query``'s ``model`` rows by (created_at, id) descending."""
    limit = args.get("limit", 20)
    cursor: Cursor | None = args.get("cursor")
    if cursor is not None:
        query = query.where(tuple_(model.created_at, model.id)
                            < tuple_(literal(cursor.created_at, UtcDateTime()),
                                     literal(cursor.id)))
    rows = list(session.scalars(query.order_by(model.created_at.desc(), model.id.desc())
                                .limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = Cursor(rows[-1].created_at, rows[-1].id).encode()
    return {"items": rows, "next_cursor": next_cursor, "limit": limit}
