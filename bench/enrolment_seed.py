"""Data of ``bench/enrolment.py``: sessions in both services' databases, SMEs, tokens, bodies.

Bulk-loaded (the use cases are what the bench measures, not how it is set up):
catalog gets a provider, a course and the sessions; enrolment the same sessions in
its read model (as catalog's ``session.published`` would have put them) and SMEs.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from sqlalchemy import insert

from services.catalog.models import Course, Provider, TrainingSession
from services.enrolment.models import OfferedSession, Sme
from shared import clock
from shared.db import Database
from shared.tokens import SigningKey, access_claims

ISSUER, AUDIENCE = "score-identity", "score"
PRICE = 2_500_000


def seed_catalog(db: Database, session_ids: list[str], capacities: list[int]) -> str:
    """One approved provider with one published course and these sessions; its id."""
    now, today = dt.datetime.now(dt.UTC), clock.today()
    provider_id, course_id = str(uuid.uuid4()), str(uuid.uuid4())
    with db.transaction() as session:
        session.execute(insert(Provider.__table__), [{
            "id": provider_id, "legal_name": "Lembaga Bench", "npwp": "9000000000000001",
            "contact_name": "Siti", "email": "bench@provider.example",
            "phone": "+62 21 555 0100", "address": "Jakarta", "description": "",
            "status": "approved", "registered_by": "bench", "created_at": now,
            "updated_at": now}])
        session.execute(insert(Course.__table__), [{
            "id": course_id, "provider_id": provider_id, "module_code": "M1",
            "title_id": "Kerja Sama", "title_en": "Cooperation", "description_id": "x" * 20,
            "description_en": "x" * 20, "language": "id", "classroom_days": 2,
            "consultancy_visits": 2, "price_per_participant": PRICE,
            "max_participants_per_enterprise": 6, "status": "published", "created_at": now,
            "updated_at": now, "published_at": now}])
        rows = [{"id": sid, "course_id": course_id, "provider_id": provider_id,
                 "module_code": "M1", "start_date": today + dt.timedelta(days=40),
                 "end_date": today + dt.timedelta(days=41),
                 "enrolment_deadline": today + dt.timedelta(days=30), "venue_address": "Aula",
                 "city": "Bandung", "city_key": "bandung", "province_code": "32",
                 "capacity": cap, "seats_taken": 0, "ilo_supervised": False,
                 "estimated_delivery_cost": 40_000_000, "price_per_participant": PRICE,
                 "status": "published", "published_at": now, "created_at": now,
                 "updated_at": now} for sid, cap in zip(session_ids, capacities, strict=True)]
        for chunk in range(0, len(rows), 2000):
            session.execute(insert(TrainingSession.__table__), rows[chunk:chunk + 2000])
    return provider_id


def seed_enrolment(db: Database, provider_id: str, session_ids: list[str],
                   capacities: list[int], smes: int) -> list[str]:
    """The sessions in enrolment's read model and ``smes`` SMEs; returns the SME ids."""
    now, today = dt.datetime.now(dt.UTC), clock.today()
    sessions = [{"id": sid, "provider_id": provider_id, "course_id": "c", "module_code": "M1",
                 "title_id": "Kerja Sama", "title_en": "Cooperation",
                 "start_date": today + dt.timedelta(days=40),
                 "end_date": today + dt.timedelta(days=41),
                 "enrolment_deadline": today + dt.timedelta(days=30), "city": "Bandung",
                 "province_code": "32", "capacity": cap, "price_per_participant": PRICE,
                 "max_participants_per_enterprise": 6, "trainers": [],
                 "ilo_supervised": False, "estimated_delivery_cost": 40_000_000,
                 "classroom_days": 2, "consultancy_visits": 2, "status": "published",
                 "seats_held": 0, "seats_confirmed": 0, "updated_at": now}
                for sid, cap in zip(session_ids, capacities, strict=True)]
    ids = [str(uuid.uuid4()) for _ in range(smes)]
    rows = [{"id": sme_id, "legal_name": f"PT Bench {n}", "nib": f"{n + 1:013d}",
             "npwp": None, "kbli_code": "13111", "kbli_version": "2020",
             "province_code": "32", "city": "Bandung", "address": "Jl. 1",
             "employees_total": 30, "employees_women": 15, "employees_men": 15,
             "size_class": "medium", "contact_name": "Ibu A",
             "contact_email": f"sme{n}@bench.example", "contact_phone": "0812",
             "registered_by": f"user-{n}", "created_at": now, "updated_at": now}
            for n, sme_id in enumerate(ids)]
    with db.transaction() as session:
        for chunk in range(0, len(sessions), 2000):
            session.execute(insert(OfferedSession.__table__), sessions[chunk:chunk + 2000])
        for chunk in range(0, len(rows), 2000):
            session.execute(insert(Sme.__table__), rows[chunk:chunk + 2000])
    with db.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    return ids


def tokens(key: SigningKey, sme_ids: list[str]) -> dict[str, str]:
    """An ``Authorization`` header value per SME (its user, 8 hours valid)."""
    out = {}
    for sme_id in sme_ids:
        claims = access_claims(issuer=ISSUER, audience=AUDIENCE, subject=f"user-{sme_id}",
                               role="sme_user", org=sme_id, org_type="sme", ttl_s=8 * 3600)
        out[sme_id] = f"Bearer {key.sign(claims)}"
    return out


def team_body(size: int) -> bytes:
    """A hold request: ``size`` participants, one of them a manager."""
    return json.dumps({"participants": [
        {"full_name": f"Peserta {i}", "gender": "female" if i % 2 else "male",
         "role": "manager" if i == 0 else "worker", "position": "Supervisor"}
        for i in range(size)]}).encode()
