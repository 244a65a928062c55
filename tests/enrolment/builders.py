"""Test data for enrolment: catalog's session events, SMEs and teams, through the real paths.

Sessions arrive as catalog would send them (payloads checked against catalog's
own event schema) through enrolment's real consumer on the local bus; SMEs are
registered by the use case; teams enrol over HTTP.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from services import enrolment
from services.catalog import events as catalog_events
from services.enrolment.service import smes
from shared import clock
from shared.auth import Principal
from shared.events import EventEnvelope
from shared.events.consumer import ConsumerRunner

_numbers = itertools.count(1)
CATALOG_TYPES = {"published": catalog_events.SESSION_PUBLISHED,
                 "updated": catalog_events.SESSION_UPDATED,
                 "cancelled": catalog_events.SESSION_CANCELLED,
                 "started": catalog_events.SESSION_STARTED,
                 "completed": catalog_events.SESSION_COMPLETED}


def days(n: int) -> dt.date:
    """The date ``n`` days from today (WIB)."""
    return clock.today() + dt.timedelta(days=n)


def session_payload(session_id: str | None = None, **overrides) -> dict:
    """A catalog ``session.*`` payload: a published 20-seat M1 session a month ahead."""
    payload = {
        "session_id": session_id or str(uuid.uuid4()), "provider_id": "prov-1",
        "course_id": "course-1", "module_code": "M1", "title_id": "Kerja Sama di Tempat Kerja",
        "title_en": "Workplace Cooperation", "language": "id", "start_date": days(30),
        "end_date": days(31), "enrolment_deadline": days(20),
        "venue_address": "Jl. Asia Afrika 8", "city": "Bandung", "province_code": "32",
        "capacity": 20, "price_per_participant": 2_500_000,
        "max_participants_per_enterprise": 6,
        "trainers": [{"trainer_id": "trainer-1", "role": "lead"}], "ilo_supervised": True,
        "estimated_delivery_cost": 40_000_000, "status": "published", "reason": None,
        "changed_by": "catalog-staff-1", "classroom_days": 2, "consultancy_visits": 3,
    }
    payload.update(overrides)
    return payload


class Catalog:
    """Publishes catalog session events to the local bus and runs enrolment's consumer."""

    def __init__(self, app) -> None:
        self.bus = app.extensions["score_bus"]
        runtime = enrolment.runtime()
        self.runner = ConsumerRunner(app.extensions["score_db"], self.bus, runtime.group,
                                     runtime.handlers, max_attempts=1, backoff_ms=1)
        self.consumer = self.bus.consumer(runtime.group, runtime.handlers.topics)

    def envelope(self, action: str, payload: dict) -> bytes:
        """The CloudEvent catalog would publish (its payload checked by catalog's schema)."""
        kind = CATALOG_TYPES[action]
        data = kind.validate(payload)
        return EventEnvelope.new("/score/catalog", kind.type, payload["session_id"],
                                 data).to_bytes()

    def deliver(self, *values: bytes) -> list[str]:
        """Put ``values`` on ``score.catalog`` and let the consumer apply them, in order."""
        producer = self.bus.producer()
        for value in values:
            producer.send("score.catalog", "k", value)
        producer.flush()
        outcomes = []
        for message in self.consumer.poll(timeout_ms=1000, max_records=len(values)):
            outcomes.append(self.runner.process(message))
            self.consumer.commit(message)
        assert len(outcomes) == len(values)
        return outcomes

    def send(self, action: str, payload: dict) -> str:
        """Publish one session event and apply it; returns the consumer's outcome."""
        (outcome,) = self.deliver(self.envelope(action, payload))
        return outcome

    def session(self, **overrides) -> dict:
        """A published session (its payload, to send later events about it)."""
        payload = session_payload(**overrides)
        assert self.send("published", payload) == "applied"
        return payload


def register_sme(db, policy, subject: str | None = None, **overrides) -> str:
    """An SME registered through the use case; returns its id."""
    n = next(_numbers)
    body = {"legal_name": f"PT Maju {n}", "nib": f"{7_000_000_000_000 + n:013d}",
            "npwp": None, "kbli_code": "13111", "kbli_version": "2020", "province_code": "32",
            "city": "Bandung", "address": "Jl. Industri 1", "employees_women": 20,
            "employees_men": 15, "contact_name": "Ibu Sari",
            "contact_email": f"owner{n}@sme.example", "contact_phone": "+62 812 0000 0001"}
    body.update(overrides)
    principal = Principal(subject or f"sme-user-{n}", "sme_user")
    return smes.register_sme(db, principal, policy, body).id


def team(size: int, managers: int = 1) -> list[dict]:
    """``size`` participants: ``managers`` managers, the rest workers, women and men alternating."""
    return [{"full_name": f"Peserta {i}", "gender": "female" if i % 2 == 0 else "male",
             "role": "manager" if i < managers else "worker", "position": "Supervisor"}
            for i in range(size)]
