"""Demo data for the whole embedded marketplace, seeded in dependency order.

Identity's demo users register catalog's demo providers, so the catalog seed
gets their ids; add each new service's seed here, after what it depends on.
"""

from __future__ import annotations

from shared.db import Database


def seed_marketplace(databases: dict[str, Database]) -> None:
    """Seed every service present in ``databases`` (each seed is idempotent)."""
    registrants: dict[str, str] | None = None
    if "identity" in databases:
        from services.identity.seed import seed_demo as seed_identity

        registrants = seed_identity(databases["identity"])
    if "catalog" in databases:
        from services.catalog.seed import seed_demo as seed_catalog

        seed_catalog(databases["catalog"], registrants=registrants)
