"""Publishing through the transactional outbox.

:func:`publish` adds the event row in the caller's transaction, so the state
change and its event commit together or not at all. Once that transaction has
committed, the relay wakes at once: a relay thread of the same process through
``Database.commits``, a relay process on PostgreSQL through ``NOTIFY``
(delivered only on commit).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from shared.db import RING_ON_COMMIT
from shared.events.envelope import EventEnvelope
from shared.events.registry import EventType
from shared.events.tables import outbox

# NOTIFY is scoped to one database, and each service has its own: one name serves all.
NOTIFY_CHANNEL = "score_outbox"


def publish(
    session: Session,
    event_type: EventType,
    subject: str,
    data: dict[str, Any],
    *,
    providerid: str | None = None,
    key: str | None = None,
) -> EventEnvelope:
    """Validate ``data`` against the type's schema and add the event to the outbox.

    ``subject`` is the aggregate id; it is also the partition key unless
    ``key`` says otherwise, so each entity's events stay in order.
    """
    payload = event_type.validate(data)
    event = EventEnvelope.new(event_type.source, event_type.type, str(subject), payload,
                              providerid=providerid)
    row = insert(outbox).values(
        event_id=event.id,
        type=event.type,
        topic=event_type.topic,
        key=str(key or subject),
        payload=event.to_bytes(),
    )
    if session.get_bind().dialect.name == "postgresql":
        # The NOTIFY rides on the INSERT (one round trip instead of two).
        row = row.returning(func.pg_notify(NOTIFY_CHANNEL, ""))
    session.execute(row)
    session.info[RING_ON_COMMIT] = True
    return event


def backlog(session: Session) -> int:
    """How many outbox rows wait for the relay."""
    unsent = select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
    return session.scalar(unsent) or 0
