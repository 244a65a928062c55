"""Which entries a read selects: filters, the caller's slice, and where it resumes.

The filters are the feed's query parameters (type prefix, source, provider,
subject, a window on the event's own time); :func:`services.audit.access.scope_entries`
narrows a provider's staff to their entries. Reads go in ``seq`` order, after a
given ``seq``: entries are append-only, so a position never shifts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from services.audit.access import scope_entries
from services.audit.models import Entry
from shared.auth import Principal
from shared.db import Database
from shared.pages import encode_token

# Rows per database round trip when an export or a tail reads on.
CHUNK = 1000


def selected(args: Mapping[str, Any], principal: Principal) -> Select:
    """Entries matching ``args``' filters that ``principal`` may read (unordered)."""
    query = scope_entries(select(Entry), principal)
    if args.get("type"):
        query = query.where(Entry.type.startswith(args["type"], autoescape=True))
    for name, column in (("source", Entry.source), ("provider", Entry.providerid),
                         ("subject", Entry.subject)):
        if args.get(name):
            query = query.where(column == args[name])
    if args.get("start") is not None:
        query = query.where(Entry.time >= args["start"])
    if args.get("end") is not None:
        query = query.where(Entry.time < args["end"])
    return query


def after(query: Select, seq: int | None, limit: int) -> Select:
    """The first ``limit`` rows of ``query`` after ``seq`` (None: from the start)."""
    if seq is not None:
        query = query.where(Entry.seq > seq)
    return query.order_by(Entry.seq).limit(limit)


def page(session: Session, args: Mapping[str, Any], principal: Principal) -> dict[str, Any]:
    """One page of entries in ``seq`` order, with the cursor of the next."""
    limit = args["limit"]
    rows = list(session.scalars(after(selected(args, principal), args.get("after"),
                                      limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_token([rows[-1].seq])
    return {"items": rows, "next_cursor": next_cursor, "limit": limit}


def log_end(session: Session) -> int:
    """The ``seq`` of the newest entry (-1 while the log is empty)."""
    newest = session.scalar(select(func.max(Entry.seq)))
    return -1 if newest is None else int(newest)


def chunks(db: Database, args: Mapping[str, Any], principal: Principal,
           upto: int | None = None) -> Iterator[list[Entry]]:
    """Every matching entry after ``args['after']`` up to ``upto``, a chunk per read.

    Each chunk is its own short read, so a long export holds no transaction open.
    """
    position = args.get("after")
    query = selected(args, principal)
    if upto is not None:
        query = query.where(Entry.seq <= upto)
    while True:
        with db.reading() as session:
            rows = list(session.scalars(after(query, position, CHUNK)))
            session.expunge_all()
        if not rows:
            return
        yield rows
        position = rows[-1].seq
        if len(rows) < CHUNK:
            return
