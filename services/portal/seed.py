"""Demo data for ``score run`` (development only), created through the use cases.

``seed_demo`` must be idempotent: ``score run`` calls it on every start. What
the seeds of this service's dependencies provided is in ``context.provided(name)``.
"""

from __future__ import annotations

from shared.db import Database
from shared.seeding import SeedContext, SeedResult


def seed_demo(db: Database, context: SeedContext) -> SeedResult:
    """Create portal's demo data unless it exists; returns what was created."""
    return SeedResult(created={})
