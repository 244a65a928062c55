"""The audit's demo data is the log itself: nothing is seeded here.

Under ``score run`` the ingest job (a thread of the audit process) appends every
event the other services' seeds publish – they seed before the audit starts, and
the audit's consumer group starts at the beginning of each topic – and the tree
job signs heads over them, so the feed, proofs and indicators show the demo
market within seconds of the start. Writing entries any other way would defeat
the log's purpose: it holds what went over the bus, verbatim.
"""

from __future__ import annotations

from shared.db import Database
from shared.seeding import SeedContext, SeedResult


def seed_demo(db: Database, context: SeedContext) -> SeedResult:
    """Nothing to create (see the module docstring); idempotent by construction."""
    return SeedResult(created={})
