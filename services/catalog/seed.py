"""Demo data: eight real SCORE Indonesia providers, courses for all five modules and
about forty sessions in the coming months – created through the use cases, so
every row is valid and every change is announced through the outbox. A few
sessions were delivered already (three completed, one in progress): their
publication, start and completion are replayed on the days they happened
(``clock.replaying``), so enrolment's demo has classrooms, attendance and visits.

Contact details are placeholders (``.example`` domains, 555 numbers); NPWPs are
synthetic but well-formed. Each provider is registered by the user identity's
seed provides as its staff (``provider_staff``: slug → user id; default
``demo-<slug>``): identity grants that user staff membership when it consumes
``provider.registered`` (an unknown user makes identity dead-letter the event).
Approvals: ``demo-admin``.

Trainers are certification's demo trainers (its seed provides ``trainers``, each
as ``trainer.registered`` carries it plus ``modules``: module → status): the
seed first writes them into the trainers read model – the same upserts the
consumer makes when those events arrive, so the events later agree – then names
them on sessions: as lead a trainer of the provider's organisation certified
for the course's module (else any certified for it), as co-trainer another
trainer of the organisation when it has one.

The seed provides every session past its draft as its latest event carried it
(``sessions``: JSON payloads, oldest start first) and each provider's staff
(``provider_staff``: provider id → user id): enrolment's seed builds its
sessions read model from them before any consumer runs.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from services.catalog import events, service
from services.catalog.models import Provider, TrainingSession
from services.catalog.service import trainers as known_trainers
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.seeding import SeedContext, SeedResult

# slug, legal name, provinces served (BPS), home city, modules offered
PROVIDERS = [
    ("bedo", "BEDO", ["31", "32", "36"], "Jakarta Selatan", ["M1", "M2", "M3", "M4", "M5"]),
    ("smi", "SMI", ["35", "51"], "Surabaya", ["M1", "M2", "M5"]),
    ("unpar", "Universitas Katolik Parahyangan", ["32"], "Bandung", ["M1", "M3", "M4"]),
    ("app-poltek", "APP Politeknik Jakarta", ["31", "36"], "Jakarta Selatan", ["M1", "M2"]),
    ("blk-smg-2", "BLK Semarang 2", ["33", "34"], "Semarang", ["M1", "M5"]),
    ("kdp", "Karya Dua Perempuan", ["34", "33"], "Yogyakarta", ["M1", "M4"]),
    ("riwani", "Riwani Globe", ["31", "51", "52"], "Jakarta Pusat", ["M1", "M3", "M5"]),
    ("proserve", "Pro Serve Indonesia", ["12", "21", "36"], "Medan", ["M1", "M2", "M4"]),
]
CITIES = {
    "12": ["Medan", "Deli Serdang"], "21": ["Batam"], "31": ["Jakarta Selatan", "Jakarta Utara"],
    "32": ["Bandung", "Bekasi", "Bogor"], "33": ["Semarang", "Surakarta"],
    "34": ["Yogyakarta", "Sleman"], "35": ["Surabaya", "Sidoarjo"], "36": ["Tangerang", "Serang"],
    "51": ["Denpasar"], "52": ["Mataram"],
}
TOPICS = {
    "M1": ("Kerja Sama di Tempat Kerja", "Workplace Cooperation"),
    "M2": ("Mutu dan Perbaikan Berkelanjutan", "Quality and Continuous Improvement"),
    "M3": ("Produktivitas melalui Produksi Bersih", "Productivity through Cleaner Production"),
    "M4": ("Manajemen Tenaga Kerja", "Workforce Management"),
    "M5": ("Keselamatan dan Kesehatan Kerja", "Safety and Health at Work"),
}
SESSIONS_PER_COURSE = (1, 3)
# Sessions delivered before today: provider slug, module, province, days since the
# first classroom day (a two-day session that began yesterday is still in progress).
DELIVERED = [("kdp", "M1", "34", 52), ("bedo", "M1", "31", 45), ("smi", "M1", "35", 38),
             ("bedo", "M2", "32", 1)]
PUBLISHED_AHEAD_DAYS = 35
SESSION_EVENTS = {"published": events.SESSION_PUBLISHED, "in_progress": events.SESSION_STARTED,
                  "completed": events.SESSION_COMPLETED, "cancelled": events.SESSION_CANCELLED}


def seed_demo(db: Database, context: SeedContext) -> SeedResult:
    """Create the demo catalog unless providers exist (counts in ``created``); provides its
    sessions and providers' staff to the seeds that depend on catalog."""
    registrants = context.provided("identity").get("provider_staff", {})
    trainers = context.provided("certification").get("trainers", [])
    record_trainers(db, trainers)
    created = seed_catalog(db, registrants, trainers)
    return SeedResult(created=created, provides=provided(db))


def provided(db: Database) -> dict[str, Any]:
    """Sessions past their draft as their latest event told them, and providers' staff."""
    with db.reading() as session:
        sessions = session.scalars(select(TrainingSession)
                                   .where(TrainingSession.status != "draft")
                                   .order_by(TrainingSession.start_date, TrainingSession.id))
        staff = dict(session.execute(select(Provider.id, Provider.registered_by)).all())
        payloads = [SESSION_EVENTS[ts.status].validate(
            events.session_payload(ts, staff[ts.provider_id])) for ts in sessions]
    return {"sessions": payloads, "provider_staff": staff}


def record_trainers(db: Database, trainers: list[Mapping[str, Any]]) -> None:
    """Certification's trainers into the read model, as their events will (idempotent)."""
    with db.transaction() as session:
        for trainer in trainers:
            known_trainers.record_trainer(session, trainer)
            for code, status in trainer["modules"].items():
                known_trainers.record_module_status(session, {
                    "trainer_id": trainer["trainer_id"], "module_code": code,
                    "status": status, "valid_until": None})


def seed_catalog(db: Database, registrants: Mapping[str, str],
                 trainers: list[Mapping[str, Any]]) -> dict[str, int]:
    """Create the demo catalog unless providers exist; returns what was created.

    ``registrants`` maps a provider slug (``bedo``, ``smi``, ``unpar``, ``app-poltek``,
    ``blk-smg-2``, ``kdp``, ``riwani``, ``proserve``) to the user id registering it;
    ``trainers`` are certification's (see the module docstring).
    """
    with db.reading() as session:
        if session.scalar(select(func.count()).select_from(Provider)):
            return {"providers": 0, "courses": 0, "sessions": 0, "delivered sessions": 0}
    # Every course's team first: no trainer certified for a module writes nothing at all.
    teams = {(name, code): _team(trainers, name, code)
             for _slug, name, _provinces, _city, modules in PROVIDERS for code in modules}
    rng = random.Random(2026)
    admin = Principal("demo-admin", "platform_admin")
    created = {"providers": 0, "courses": 0, "sessions": 0, "delivered sessions": 0}
    courses: dict[tuple[str, str], tuple[Principal, Any, list[dict]]] = {}
    for number, (slug, name, provinces, city, modules) in enumerate(PROVIDERS, start=1):
        user = registrants.get(slug) or f"demo-{slug}"
        provider = _provider(db, admin, user, number, slug, name, provinces, city)
        staff = Principal(user, "provider_staff", provider.id, "provider")
        created["providers"] += 1
        for code in modules:
            course = _course(db, staff, provider.id, code, rng)
            team = teams[name, code]
            courses[slug, code] = staff, course, team
            created["courses"] += 1
            for _ in range(rng.randint(*SESSIONS_PER_COURSE)):
                _session(db, staff, provider.id, course, rng.choice(provinces), slug, team, rng)
                created["sessions"] += 1
    past = random.Random(8)
    for slug, code, province, days_ago in DELIVERED:
        staff, course, team = courses[slug, code]
        _delivered(db, staff, course, province, slug, team, days_ago, past)
        created["delivered sessions"] += 1
    return created


def _team(trainers: list[Mapping[str, Any]], organisation: str, code: str) -> list[dict]:
    """A certified lead for module ``code`` (the organisation's own when it has one) and
    another trainer of the organisation as co-trainer; ValueError when no one is certified."""
    certified = [t for t in trainers if t["modules"].get(code) == known_trainers.CERTIFIED]
    own = [t for t in certified if t["organisation"] == organisation]
    if not (own or certified):
        raise ValueError(f"no demo trainer certified for {code}: seed certification first")
    lead = (own or certified)[0]["trainer_id"]
    co = [t["trainer_id"] for t in trainers
          if t["organisation"] == organisation and t["trainer_id"] != lead]
    return [{"trainer_id": lead, "role": "lead"},
            *[{"trainer_id": trainer_id, "role": "co"} for trainer_id in co[:1]]]


def _delivered(db, staff, course, province, slug, team, days_ago, rng) -> None:
    """A session published, started (and completed) on the days that happened."""
    start = clock.today() - dt.timedelta(days=days_ago)
    end = start + dt.timedelta(days=course.classroom_days - 1)
    with clock.replaying(start - dt.timedelta(days=PUBLISHED_AHEAD_DAYS)):
        ts_id = _session(db, staff, course.provider_id, course, province, slug, team, rng,
                         start)
    with clock.replaying(start, hour=8):
        service.start_session(db, staff, ts_id)
    if end < clock.today():
        with clock.replaying(end, hour=17):
            service.complete_session(db, staff, ts_id)


def _provider(db, admin, user, number, slug, name, provinces, city) -> Provider:
    registrant = Principal(user, "provider_staff")
    provider = service.register_provider(db, registrant, {
        "legal_name": name, "npwp": f"0{number:02d}{7310000000000 + number * 7919:013d}",
        "contact_name": f"Koordinator SCORE {name}", "email": f"score@{slug}.example",
        "phone": f"+62 21 555 {1000 + number}", "address": f"{city}, Indonesia",
        "provinces_served": provinces, "website": f"https://{slug}.example",
        "description": f"{name} delivers ILO SCORE training to small and medium enterprises.",
    })
    return service.approve_provider(db, admin, provider.id, "demo data")


def _course(db, staff, provider_id, code, rng):
    title_id, title_en = TOPICS[code]
    course = service.create_course(db, staff, provider_id, {
        "module_code": code, "title_id": f"SCORE {code}: {title_id}",
        "title_en": f"SCORE {code}: {title_en}",
        "description_id": f"Lokakarya kelas dua hari tentang {title_id.lower()}, diikuti "
                          "kunjungan konsultasi ke setiap perusahaan.",
        "description_en": f"A two-day classroom workshop on {title_en.lower()}, followed by "
                          "consultancy visits to each enterprise.",
        "language": "en" if rng.random() < 0.15 else "id", "classroom_days": 2,
        "consultancy_visits": rng.choice([2, 3, 4]),
        "price_per_participant": rng.choice([1_500_000, 2_000_000, 2_500_000, 3_000_000]),
        "max_participants_per_enterprise": 4,
    })
    return service.publish_course(db, staff, course.id)


def _session(db, staff, provider_id, course, province, slug, team, rng,
             start: dt.date | None = None) -> str:
    start = start or clock.today() + dt.timedelta(days=rng.randint(10, 180))
    ts = service.create_session(db, staff, provider_id, {
        "course_id": course.id, "start_date": start,
        "end_date": start + dt.timedelta(days=course.classroom_days - 1),
        "enrolment_deadline": start - dt.timedelta(days=7),
        "venue_address": f"Ruang Pelatihan {slug.upper()}", "city": rng.choice(CITIES[province]),
        "province_code": province, "capacity": rng.choice([16, 20, 20, 24]),
        "trainers": team,
        "ilo_supervised": rng.random() < 0.3,
        "estimated_delivery_cost": rng.choice([35_000_000, 45_000_000, 60_000_000]),
    })
    service.publish_session(db, staff, ts.id)
    return ts.id
