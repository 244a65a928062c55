"""The live tail: entries as Server-Sent Events as they are logged.

The stream opens with a ``retry`` hint and a comment (so proxies pass the
headers at once), sends every matching entry after the starting ``seq`` (each
``id:`` is its seq), looks for new ones every :data:`POLL_S`, sends a heartbeat
comment when it has been quiet for the heartbeat interval, and ends after its
lifetime (:mod:`services.audit.feed.settings`). The client reconnects, sending the
last id it saw as ``Last-Event-ID``, and resumes exactly after it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from services.audit.feed import query
from services.audit.feed.formats import sse_frame
from services.audit.feed.settings import TailSettings
from shared.auth import Principal
from shared.db import Database

# How often an idle tail looks for new entries.
POLL_S = 0.5
# What the client waits before reconnecting (the SSE ``retry`` field).
RETRY_MS = 1000


def tail(db: Database, args: Mapping[str, Any], principal: Principal, limits: TailSettings,
         *, now: Callable[[], float] = time.monotonic,
         sleep: Callable[[float], None] = time.sleep) -> Iterator[str]:
    """The stream's text, frame by frame, until its lifetime is over."""
    start = now()
    end, quiet_since = start + limits.lifetime_s, start
    position = args.get("after")
    yield f"retry: {RETRY_MS}\n: tail of the audit log; reconnect with Last-Event-ID\n\n"
    while True:
        sent = False
        for rows in query.chunks(db, {**args, "after": position}, principal):
            for entry in rows:
                yield sse_frame(entry)
            position, sent = rows[-1].seq, True
            if now() >= end:  # a long catch-up ends with the lifetime too
                break
        moment = now()
        if sent:
            quiet_since = moment
        elif moment - quiet_since >= limits.heartbeat_s:
            yield ": heartbeat\n\n"
            quiet_since = moment
        if moment >= end:
            yield ": lifetime over; reconnect with Last-Event-ID\n\n"
            return
        sleep(min(POLL_S, limits.heartbeat_s, end - moment))
