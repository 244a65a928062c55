"""Entries for the log's tests: catalog-like events appended as the ingest would."""

from __future__ import annotations

from services.audit.ingest import Appended, append
from shared.db import Database
from shared.events.bus import Message
from shared.events.envelope import EventEnvelope


def fill(db: Database, count: int, providers: tuple[str | None, ...] = ("p-1",)) -> Appended:
    """Append ``count`` fresh events, their providers taken in turn from ``providers``."""
    records = []
    for i in range(count):
        event = EventEnvelope.new("/score/catalog", "score.catalog.session.published.v1",
                                  f"s-{i}", {"session_id": f"s-{i}", "n": i},
                                  providerid=providers[i % len(providers)])
        records.append(Message("score.catalog", 0, i, event.subject, event.to_bytes(), {}, 0))
    with db.transaction() as session:
        return append(session, records)
