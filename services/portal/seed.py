"""Demo data for ``score run``: the portal keeps none of its own (it shows the services').

Its line in ``make run``'s output says where to start.
"""

from __future__ import annotations

from shared.db import Database
from shared.seeding import SeedContext, SeedResult


def seed_demo(db: Database, context: SeedContext) -> SeedResult:
    """Nothing to create; a note on how to sign in."""
    return SeedResult(created={}, notes=(
        "sign in with any demo account of the README's Try it (password score-demo-2026), "
        "e.g. owner@sme.example, staff@bedo.example, sponsor@kemnaker.example, "
        "auditor@ilo.example",))
