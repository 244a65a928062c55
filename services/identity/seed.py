"""Demo accounts for the embedded marketplace (``score run``).

One password for all of them (``DEMO_PASSWORD``) – development only: the
launcher never seeds a production database. Provider staff get their
membership the event-driven way: catalog's demo providers are registered by
these users, and identity's consumer of ``provider.registered`` grants it.
The seed provides ``provider_staff`` (provider slug → user id) and ``sme_users``
(email → user id) to the seeds of services that depend on identity: catalog
registers its providers with the former, enrolment its SMEs with the latter
(identity then grants each registrant ``sme_user`` of its SME, by event).
Likewise ``sponsor_staff`` (email → user id): sponsorship's demo sponsors are
registered by these users; and ``platform_admin``, the admin's user id, who
approves them. ``trainers`` (email → user id): certification's demo trainers are
these users (a trainer's id is its user's id); they signed up as trainers.
Two machine clients too: the audit's own (role ``service``, the development id and
secret of :mod:`shared.config`), with whose token it reconciles, and the ILO's
feed reader (role ``ilo_auditor``), which reads the audit's feed as a program
would; the feed reader's id and published demo secret are printed on every run.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from services.identity.clients import ensure_client
from services.identity.context import build_identity
from services.identity.models import User
from services.identity.passwords import Passwords
from services.identity.service import create_member, register_user
from shared.config import DEV_AUDIT_CLIENT_ID, DEV_AUDIT_CLIENT_SECRET
from shared.db import Database
from shared.seeding import SeedContext, SeedResult

DEMO_PASSWORD = "score-demo-2026"
# The ILO's machine client for the audit feed: id, name, and its demo secret.
FEED_READER = ("ilo-feed-reader", "ILO audit feed reader", "score-demo-2026-feed-reader")
PROVIDER_SLUGS = ("bedo", "smi", "unpar", "app-poltek", "blk-smg-2", "kdp", "riwani", "proserve")

# email, name, (org_type, org_id, role) granted up front
MEMBERS = [
    ("admin@score.example", "Platform Admin", ("ilo", "platform", "platform_admin")),
    ("auditor@ilo.example", "ILO Jakarta Auditor", ("ilo", "ilo-jakarta", "ilo_auditor")),
]
# The owners of enrolment's demo SMEs (owner@sme.example's is CV Tenun Nusantara).
SME_OWNERS = [
    ("owner@sme.example", "SME Owner"),
    ("ratna@batik-sekar.example", "Ratna Wulandari"),
    ("agus@mebel-jepara.example", "Agus Santoso"),
    ("dewi@garmen-surya.example", "Dewi Lestari"),
    ("made@perak-celuk.example", "I Made Sudarsana"),
    ("siti@snack-makmur.example", "Siti Rahmawati"),
    ("budi@presisi-batam.example", "Budi Hartono"),
    ("rina@kopi-sidikalang.example", "Rina Simanjuntak"),
]
# The staff who register sponsorship's demo sponsors (sponsor@kemnaker.example: Kemnaker's).
SPONSOR_STAFF = [
    ("sponsor@kemnaker.example", "Kemnaker Sponsor Desk"),
    ("grants@nordic-partnership.example", "Astrid Lund"),
    ("sourcing@garuda-footwear.example", "Hendra Wijaya"),
    ("sponsor@betterwork-id.example", "Better Work Indonesia Desk"),
]
# Certification's demo trainers (services/certification/seed_data.py): 5 of 12 women.
TRAINERS = [
    ("siti.nurhaliza@trainers.example", "Siti Nurhaliza"),
    ("sri.wahyuni@trainers.example", "Sri Wahyuni"),
    ("bambang.wijaya@trainers.example", "Bambang Wijaya"),
    ("dewi.anggraini@trainers.example", "Dewi Anggraini"),
    ("hendra.gunawan@trainers.example", "Hendra Gunawan"),
    ("yohanes.situmorang@trainers.example", "Yohanes Situmorang"),
    ("rini.kusumawati@trainers.example", "Rini Kusumawati"),
    ("agus.salim@trainers.example", "Agus Salim"),
    ("rudi.hartono@trainers.example", "Rudi Hartono"),
    ("putri.lestari@trainers.example", "Putri Lestari"),
    ("fajar.nugroho@trainers.example", "Fajar Nugroho"),
    ("wayan.sudirta@trainers.example", "I Wayan Sudirta"),
]
# email, name, intended role (signed up, no organisation yet)
SIGN_UPS = [
    *[(email, name, "sme_user") for email, name in SME_OWNERS],
    *[(email, name, "sponsor_staff") for email, name in SPONSOR_STAFF],
    ("trainer@score.example", "Trainer Candidate", "trainer"),
    *[(email, name, "trainer") for email, name in TRAINERS],
    *[(f"staff@{slug}.example", f"{slug.upper()} staff", "provider_staff")
      for slug in PROVIDER_SLUGS],
]


class _HashedOnce(Passwords):
    """The demo password hashed once for every account: argon2 is slow by design,
    and every demo account has the same, published, password anyway."""

    def __init__(self, passwords: Passwords) -> None:
        # Wraps ``passwords`` instead of building a hasher (and its dummy hash) again.
        self._passwords = passwords
        self._hashes: dict[str, str] = {}

    def hash(self, password: str) -> str:
        """The one hash of ``password`` made by the wrapped hasher."""
        if password not in self._hashes:
            self._hashes[password] = self._passwords.hash(password)
        return self._hashes[password]

    def verify(self, password_hash: str | None, password: str) -> bool:
        """As the wrapped hasher."""
        return self._passwords.verify(password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        """As the wrapped hasher."""
        return self._passwords.needs_rehash(password_hash)


def _exists(db: Database, email: str) -> bool:
    with db.reading() as session:
        return session.scalar(select(User.id).where(User.email == email)) is not None


def seed_demo(db: Database, context: SeedContext) -> SeedResult:
    """Create the demo accounts (idempotent); provides their staff and SME owners' ids."""
    identity = build_identity(context.settings)
    identity = dataclasses.replace(identity, passwords=_HashedOnce(identity.passwords))
    created = 0
    for email, name, (org_type, org_id, role) in MEMBERS:
        if not _exists(db, email):
            create_member(db, identity, email, name, DEMO_PASSWORD, (org_type, org_id), role,
                          granted_by="demo-seed")
            created += 1
    for email, name, intended_role in SIGN_UPS:
        if not _exists(db, email):
            register_user(db, identity, email, name, DEMO_PASSWORD, intended_role)
            created += 1
    created_clients = int(ensure_client(db, identity, DEV_AUDIT_CLIENT_ID, "SCORE audit",
                                        "service", DEV_AUDIT_CLIENT_SECRET, "demo-seed"))
    created_clients += _feed_reader(db, identity)
    with db.reading() as session:
        staff = {slug: session.scalar(select(User.id).where(User.email == f"staff@{slug}.example"))
                 for slug in PROVIDER_SLUGS}
        owners = {email: session.scalar(select(User.id).where(User.email == email))
                  for email, _ in SME_OWNERS}
        sponsors = {email: session.scalar(select(User.id).where(User.email == email))
                    for email, _ in SPONSOR_STAFF}
        trainers = {email: session.scalar(select(User.id).where(User.email == email))
                    for email, _ in TRAINERS}
        admin = session.scalar(select(User.id).where(User.email == MEMBERS[0][0]))
    client_id, _, secret = FEED_READER
    return SeedResult(created={"accounts": created, "machine clients": created_clients},
                      notes=(f"ILO feed reader (client credentials, ilo_auditor): "
                             f"client_id={client_id} client_secret={secret}",),
                      provides={"provider_staff": staff, "sme_users": owners,
                                "sponsor_staff": sponsors, "trainers": trainers,
                                "platform_admin": admin})


def _feed_reader(db: Database, identity) -> int:
    """Register the ILO's feed-reader client unless it exists; how many were created."""
    client_id, name, secret = FEED_READER
    return int(ensure_client(db, identity, client_id, name, "ilo_auditor", secret, "demo-seed",
                             org_type="ilo", org_id="ilo-jakarta"))
