"""Reading reconciliation runs and their differences (the API's queries)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.audit.models import Difference, ReconciliationRun
from shared.db import Database
from shared.errors import NotFound
from shared.pages import encode_token, newest_first


def list_runs(db: Database, args: dict[str, Any]) -> dict[str, Any]:
    """A page of runs, newest first."""
    with db.reading() as session:
        return newest_first(session, select(ReconciliationRun), ReconciliationRun, args)


def get_run(db: Database, run_id: str) -> ReconciliationRun:
    """One run (404 when there is none)."""
    with db.reading() as session:
        run = session.get(ReconciliationRun, run_id)
    if run is None:
        raise NotFound("no such reconciliation run")
    return run


def list_differences(db: Database, run_id: str, args: dict[str, Any]) -> dict[str, Any]:
    """A page of the run's differences in the order found (404 for an unknown run)."""
    limit = args.get("limit", 20)
    with db.reading() as session:
        if session.get(ReconciliationRun, run_id) is None:
            raise NotFound("no such reconciliation run")
        query = select(Difference).where(Difference.run_id == run_id)
        if "service" in args:
            query = query.where(Difference.service == args["service"])
        if "cursor" in args:
            query = query.where(Difference.id > args["cursor"])
        rows = list(session.scalars(query.order_by(Difference.id).limit(limit + 1)))
    next_cursor = encode_token([rows[limit - 1].id]) if len(rows) > limit else None
    return {"items": rows[:limit], "next_cursor": next_cursor, "limit": limit}
