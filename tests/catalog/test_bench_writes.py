"""The mixed-load writer of ``bench/catalog_search.py`` drives catalog's real use cases.

The bench is not run by the suite; this keeps its writer in step with the seats
read model and the session use cases it calls, so a changed signature fails here
rather than leaving a bench that measures no writes.
"""

from __future__ import annotations

import random
import time

from bench.catalog_writes import OPEN_ENROLMENTS, SteadyWrites


def test_the_writer_holds_releases_and_edits_at_its_rates(client, build, db):
    provider, _course, ts = build.world()
    writes = SteadyWrites(db, [(ts.id, provider.id)], seat_events_per_s=400, edits_per_s=20,
                          rng=random.Random(1))
    writes.start()
    deadline = time.monotonic() + 30
    while writes.done["seat"] < OPEN_ENROLMENTS + 10 and time.monotonic() < deadline:
        time.sleep(0.01)
    writes.stop()
    assert writes.done["seat"] >= OPEN_ENROLMENTS + 10 and writes.done["edit"] >= 1
    shown = client.get(f"/sessions/{ts.id}").json
    # 50 open one-seat holds at most, the older ones released again.
    assert 0 < shown["seats_taken"] <= OPEN_ENROLMENTS
    assert shown["venue_address"].startswith("Aula ")
