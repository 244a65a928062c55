"""Put services' published events into an audit log, as the ingest would from the bus.

For tests that drive services through their use cases on SQLite and then need
those events in the log: each service's outbox rows (the very bytes its relay
sends) become bus records, appended in outbox order service by service.
"""

from __future__ import annotations

from sqlalchemy import select

from services.audit.ingest import Appended, append
from shared.db import Database
from shared.events.bus import Message
from shared.events.tables import outbox


def published(db: Database) -> list[Message]:
    """Every event ``db``'s service has published, as the bus would deliver it."""
    with db.reading() as session:
        rows = session.execute(select(outbox).order_by(outbox.c.id)).all()
    return [Message(row.topic, 0, row.id, row.key, row.payload,
                    {"ce_id": row.event_id.encode(), "ce_type": row.type.encode()},
                    int(row.created_at.timestamp() * 1000))
            for row in rows]


def log_events(audit_db: Database, *service_dbs: Database) -> Appended:
    """Append every event the services of ``service_dbs`` published to the audit log."""
    records = [message for db in service_dbs for message in published(db)]
    with audit_db.transaction() as session:
        return append(session, records)
