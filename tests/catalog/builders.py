"""Test data for the catalog: valid payloads and a builder of providers, courses, sessions.

Builders go through the real use cases (so rows are valid and events are
published) but skip HTTP, which keeps per-test worlds cheap.
"""

from __future__ import annotations

import datetime as dt
import itertools

from services.catalog import service
from services.catalog.schemas import CourseIn, ProviderIn
from services.catalog.service import trainers as known_trainers
from shared import clock
from shared.auth import Principal
from shared.seeding import SeedContext, SeedResult

ADMIN = Principal("admin-1", "platform_admin")
_numbers = itertools.count(1)


def days(n: int) -> dt.date:
    """The date ``n`` days from today (WIB)."""
    return clock.today() + dt.timedelta(days=n)


def npwp(n: int | None = None) -> str:
    """A distinct, well-formed 16-digit NPWP."""
    return f"{9_100_000_000_000_000 + (n if n is not None else next(_numbers)):016d}"


def provider_body(**overrides) -> dict:
    """A valid registration body."""
    n = next(_numbers)
    body = {
        "legal_name": f"Lembaga Pelatihan {n}", "npwp": npwp(n),
        "contact_name": "Siti Rahayu", "email": f"siti{n}@provider.example",
        "phone": "+62 21 555 0101", "address": "Jl. Sudirman 1, Jakarta Pusat",
        "provinces_served": ["31", "ID-JB"], "description": "SCORE training provider.",
        "website": "https://provider.example",
    }
    body.update(overrides)
    return body


def course_body(**overrides) -> dict:
    """A valid course body (module M1)."""
    n = next(_numbers)
    body = {
        "module_code": "M1", "title_id": f"Kerja Sama di Tempat Kerja {n}",
        "title_en": f"Workplace Cooperation {n}",
        "description_id": "Lokakarya dua hari tentang kerja sama di tempat kerja.",
        "description_en": "A two-day workshop on workplace cooperation.",
        "language": "id", "classroom_days": 2, "consultancy_visits": 3,
        "price_per_participant": 2_500_000, "max_participants_per_enterprise": 4,
    }
    body.update(overrides)
    return body


def session_body(course_id: str, **overrides) -> dict:
    """A valid session body starting in 30 days, in Bandung (Jawa Barat)."""
    body = {
        "course_id": course_id, "start_date": days(30).isoformat(),
        "end_date": days(31).isoformat(), "enrolment_deadline": days(23).isoformat(),
        "venue_address": "Jl. Asia Afrika 8", "city": "Bandung", "province_code": "32",
        "capacity": 20, "trainers": [{"trainer_id": "trainer-1", "role": "lead"},
                                     {"trainer_id": "trainer-2", "role": "co"}],
        "ilo_supervised": True, "estimated_delivery_cost": 45_000_000,
    }
    body.update(overrides)
    return body


def _load(body: dict) -> dict:
    """A JSON body as the schemas would load it (dates parsed)."""
    out = dict(body)
    for key in ("start_date", "end_date", "enrolment_deadline"):
        if isinstance(out.get(key), str):
            out[key] = dt.date.fromisoformat(out[key])
    return out


class Builder:
    """Creates catalog rows through the use cases, in any lifecycle state."""

    def __init__(self, db) -> None:
        self.db = db

    @staticmethod
    def staff(provider_id: str, subject: str = "staff-1") -> Principal:
        """A staff member of ``provider_id``."""
        return Principal(subject, "provider_staff", provider_id, "provider")

    def trainer(self, *trainer_ids: str, modules=("M1", "M2", "M3", "M4", "M5"),
                status: str = "certified") -> None:
        """Trainers certification registered, in ``status`` for ``modules`` – written
        through the read model's use cases, as catalog's consumer writes them."""
        with self.db.transaction() as session:
            for n, trainer_id in enumerate(trainer_ids):
                known_trainers.record_trainer(session, {
                    "trainer_id": trainer_id, "full_name": f"Trainer {trainer_id}",
                    "gender": ("female", "male")[n % 2], "province_code": "32",
                    "provider_id": None})
                for code in modules:
                    known_trainers.record_module_status(session, {
                        "trainer_id": trainer_id, "module_code": code, "status": status,
                        "valid_until": None})

    def provider(self, status: str = "approved", **overrides):
        """A provider in ``status`` (pending, approved or suspended)."""
        data = ProviderIn().load(provider_body(**overrides))
        provider = service.register_provider(
            self.db, Principal(f"new-{next(_numbers)}", "provider_staff"), data)
        if status in ("approved", "suspended"):
            provider = service.approve_provider(self.db, ADMIN, provider.id, None)
        if status == "suspended":
            provider = service.suspend_provider(self.db, ADMIN, provider.id, "audit findings")
        return provider

    def course(self, provider, status: str = "published", **overrides):
        """A course of ``provider`` in ``status`` (draft, published or archived)."""
        staff = self.staff(provider.id)
        course = service.create_course(self.db, staff, provider.id,
                                       CourseIn().load(course_body(**overrides)))
        if status in ("published", "archived"):
            course = service.publish_course(self.db, staff, course.id)
        if status == "archived":
            course = service.archive_course(self.db, staff, course.id)
        return course

    def session(self, course, status: str = "published", **overrides):
        """A session of ``course`` in any state; in_progress/completed ones run today.

        Its trainers are made known (certified in every module) first.
        """
        staff = self.staff(course.provider_id)
        self.trainer(*(t["trainer_id"] for t in session_body(course.id, **overrides)["trainers"]))
        if status in ("in_progress", "completed"):
            overrides = {"start_date": days(0).isoformat(), "end_date": days(0).isoformat(),
                         "enrolment_deadline": days(0).isoformat(), **overrides}
        ts = service.create_session(self.db, staff, course.provider_id,
                                    _load(session_body(course.id, **overrides)))
        steps = {"draft": [], "published": ["publish"], "cancelled": ["cancel"],
                 "in_progress": ["publish", "start"],
                 "completed": ["publish", "start", "complete"]}[status]
        for step in steps:
            if step == "cancel":
                ts = service.cancel_session(self.db, staff, ts.id, "venue unavailable")
            else:
                ts = getattr(service, f"{step}_session")(self.db, staff, ts.id)
        return ts

    def world(self):
        """An approved provider with a published course and a published session."""
        provider = self.provider()
        course = self.course(provider)
        return provider, course, self.session(course)


def certification_seeded(directory) -> SeedResult:
    """What certification's demo seed provides (its trainers), seeded in ``directory`` –
    the dependency catalog's demo seed names its sessions' trainers from."""
    from services import certification
    from services.certification import seed as certification_seed
    from shared.config import load_settings
    from shared.db import Database
    from tests.support.apps import migrated_sqlite

    db = Database(migrated_sqlite(certification.runtime(), directory))
    try:
        settings = load_settings("certification", {"database_url": "sqlite://"}, environ={})
        return certification_seed.seed_demo(db, SeedContext(settings, {"identity": SeedResult()}))
    finally:
        db.dispose()
