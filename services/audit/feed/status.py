"""What the ingest has done: entries logged, duplicates absorbed, records refused.

The counters are the ingest's own (:mod:`services.audit.ingest.append`); the last
entry per topic says how far each service's topic has been logged.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.audit.ingest.append import DUPLICATES, REJECTED
from services.audit.models import Counter, Entry


def ingest_status(session: Session) -> dict[str, Any]:
    """Entries, duplicates and rejects so far, and each topic's newest entry."""
    counters = {name: value for name, value in session.execute(select(Counter.name, Counter.value))}
    # One pass over the entries' topics (a handful of values); then each topic's last
    # entry by primary key.
    newest = select(func.max(Entry.seq)).group_by(Entry.topic).scalar_subquery()
    last = session.scalars(select(Entry).where(Entry.seq.in_(newest))
                           .order_by(Entry.topic)).all()
    entries = session.scalar(select(func.coalesce(func.max(Entry.seq) + 1, 0)))
    return {"entries": entries, "duplicates": counters.get(DUPLICATES, 0),
            "rejected": counters.get(REJECTED, 0),
            "topics": [{"topic": e.topic, "last_seq": e.seq, "partition": e.partition,
                        "offset": e.offset, "time": e.time, "received_at": e.received_at}
                       for e in last]}
