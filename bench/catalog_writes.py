"""The writes of ``bench/catalog_search.py``'s mixed load: seat events and session edits.

While searches run, a thread writes at steady rates through the catalog's own use
cases and read model, in their own transactions, as the consumer and the API do:

- seat events: an enrolment of one participant holds a seat in a session shown on
  a search page (``seats.seats_held``, as enrolment's holds arrive); once 50 are
  open the oldest is released instead (``seats.seats_released``), so seats stay in
  a steady state;
- session edits: a published session shown on a search page gets a new venue
  address (``service.update_session`` as its provider's staff, which also
  writes a ``session.updated`` event to the outbox).

Targets are sessions that searchers see (the first pages of the bench's query
mix): enrolments and edits land where the pages are, not on sessions no page shows.
"""

from __future__ import annotations

import collections
import itertools
import random
import threading
import time
import uuid

from services.catalog import service
from services.catalog.service import seats
from shared.auth import Principal
from shared.db import Database

OPEN_ENROLMENTS = 50


class SteadyWrites:
    """A thread writing seat events and session edits at fixed rates until stopped."""

    def __init__(self, db: Database, targets: list[tuple[str, str]], *, seat_events_per_s: float,
                 edits_per_s: float, rng: random.Random) -> None:
        self.db, self.targets, self.rng = db, targets, rng
        self.rates = {"seat": seat_events_per_s, "edit": edits_per_s}
        self.done = collections.Counter[str]()
        self.latencies_ms: list[float] = []
        self._open: collections.deque[tuple[str, str]] = collections.deque()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._edits = itertools.count()

    def start(self) -> None:
        """Begin writing (rates are kept on average; a late write is not skipped)."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="bench-writes", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop writing and wait for the write in progress."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        started = time.monotonic()
        due = {kind: started for kind, rate in self.rates.items() if rate > 0}
        while due and not self._stop.is_set():
            kind = min(due, key=due.__getitem__)
            delay = due[kind] - time.monotonic()
            if delay > 0 and self._stop.wait(delay):
                break
            t0 = time.perf_counter()
            self._seat_event() if kind == "seat" else self._edit()
            self.latencies_ms.append((time.perf_counter() - t0) * 1000)
            self.done[kind] += 1
            due[kind] += 1 / self.rates[kind]

    def _seat_event(self) -> None:
        with self.db.transaction() as session:
            if len(self._open) >= OPEN_ENROLMENTS:
                enrolment_id, session_id = self._open.popleft()
                seats.seats_released(session, enrolment_id, enrolment_id, session_id, 1)
            else:
                enrolment_id, session_id = str(uuid.uuid4()), self.rng.choice(self.targets)[0]
                seats.seats_held(session, enrolment_id, enrolment_id, session_id, 1)
                self._open.append((enrolment_id, session_id))

    def _edit(self) -> None:
        session_id, provider_id = self.rng.choice(self.targets)
        staff = Principal("bench-staff", "provider_staff", provider_id, "provider")
        service.update_session(self.db, staff, session_id,
                               {"venue_address": f"Aula {next(self._edits)}"})
