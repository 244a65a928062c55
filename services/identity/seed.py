"""Demo accounts for the embedded marketplace (``score run``).

One password for all of them (``DEMO_PASSWORD``) – development only: the
launcher never seeds a production database. Provider staff get their
membership the event-driven way: catalog's demo providers are registered by
these users, and identity's consumer of ``provider.registered`` grants it.
"""

from __future__ import annotations

from sqlalchemy import select

from services.identity.context import build_identity
from services.identity.models import User
from services.identity.service import create_member, register_user
from shared.config import load_settings
from shared.db import Database

DEMO_PASSWORD = "score-demo-2026"
PROVIDER_SLUGS = ("bedo", "smi", "unpar", "app-poltek", "blk-smg-2", "kdp", "riwani", "proserve")

# email, name, intended role, (org_type, org_id, role) granted up front or None
ACCOUNTS = [
    ("admin@score.example", "Platform Admin", None, ("ilo", "platform", "platform_admin")),
    ("auditor@ilo.example", "ILO Jakarta Auditor", None, ("ilo", "ilo-jakarta", "ilo_auditor")),
    ("owner@sme.example", "SME Owner", "sme_user", None),
    ("sponsor@kemnaker.example", "Kemnaker Sponsor Desk", "sponsor_staff", None),
    ("trainer@score.example", "Trainer Candidate", "trainer", None),
    *[(f"staff@{slug}.example", f"{slug.upper()} staff", "provider_staff", None)
      for slug in PROVIDER_SLUGS],
]


def seed_demo(db: Database) -> dict[str, str]:
    """Create the demo accounts (idempotent); returns provider slug → staff user id."""
    identity = build_identity(load_settings("identity"))
    for email, name, intended_role, membership in ACCOUNTS:
        with db.reading() as session:
            if session.scalar(select(User.id).where(User.email == email)) is not None:
                continue
        if membership is None:
            register_user(db, identity, email, name, DEMO_PASSWORD, intended_role)
        else:
            org_type, org_id, role = membership
            create_member(db, identity, email, name, DEMO_PASSWORD, (org_type, org_id), role,
                          granted_by="demo-seed")
    with db.reading() as session:
        return {slug: session.scalar(select(User.id).where(User.email == f"staff@{slug}.example"))
                for slug in PROVIDER_SLUGS}
