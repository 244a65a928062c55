"""Test data for certification, through the real paths.

Trainers register, report, recommend and are decided on over HTTP as their users
would; evidence arrives as other services' events (catalog's ``session.completed``,
enrolment's ``visit.recorded``) built with the producers' own schemas and applied by
certification's real consumer on the local bus.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from services import certification
from services.catalog import events as catalog_events
from services.enrolment import events as enrolment_events
from shared import clock
from shared.events import EventEnvelope
from shared.events.consumer import ConsumerRunner
from tests.enrolment.builders import session_payload

_numbers = itertools.count(1)
ADMIN = ("platform_admin", "platform")


def profile(**overrides) -> dict:
    """A trainer's registration body: a woman in Central Java interested in M1."""
    body = {"full_name": f"Sri Wahyuni {next(_numbers)}", "gender": "female",
            "province_code": "33", "organisation": "Mitra Usaha Semarang",
            "provider_id": "prov-1", "modules_of_interest": ["M1"]}
    body.update(overrides)
    return body


def visit_payload(trainer_id: str, module_code: str = "M1", **overrides) -> dict:
    """An enrolment ``visit.recorded`` payload: the trainer visited an SME yesterday."""
    payload = {"visit_id": str(uuid.uuid4()), "enrolment_id": "enr-1", "session_id": "s-1",
               "sme_id": "sme-1", "provider_id": "prov-1", "module_code": module_code,
               "trainer_id": trainer_id, "visited_on": clock.today() - dt.timedelta(days=1),
               "duration_minutes": 120, "topics": ["5S"], "members_present": 4,
               "actions_agreed": ["daily 5S walk"], "visits_recorded": 1,
               "visits_required": 3, "recorded_by": trainer_id}
    payload.update(overrides)
    return payload


class Programme:
    """Certification's surroundings: the other services' events, and its users over HTTP."""

    def __init__(self, app, auth) -> None:
        self.app, self.auth = app, auth
        self.client = app.test_client()
        self.bus = app.extensions["score_bus"]
        runtime = certification.runtime()
        self.runner = ConsumerRunner(app.extensions["score_db"], self.bus, runtime.group,
                                     runtime.handlers, max_attempts=1, backoff_ms=1)
        self.consumer = self.bus.consumer(runtime.group, runtime.handlers.topics)

    # -- headers ------------------------------------------------------------------------
    def admin(self) -> dict:
        """A platform admin (the certifier)."""
        return self.auth(*ADMIN, subject="admin-1")

    def as_trainer(self, trainer_id: str) -> dict:
        """The trainer's token once identity made them a member of their record."""
        return self.auth("trainer", trainer_id, "trainer", subject=trainer_id)

    # -- other services' events ---------------------------------------------------------
    def deliver(self, topic: str, kind, subject: str, payload: dict) -> str:
        """Publish one event as its producer would and let the consumer apply it."""
        source = "/score/" + topic.removeprefix("score.")
        value = EventEnvelope.new(source, kind.type, subject, kind.validate(payload)).to_bytes()
        producer = self.bus.producer()
        producer.send(topic, subject, value)
        producer.flush()
        (message,) = self.consumer.poll(timeout_ms=1000, max_records=1)
        outcome = self.runner.process(message)
        self.consumer.commit(message)
        return outcome

    def session_completed(self, *trainers: tuple[str, str], module_code: str = "M1") -> dict:
        """Catalog's ``session.completed`` with ``(trainer_id, role)`` pairs."""
        payload = session_payload(
            module_code=module_code, status="completed",
            start_date=clock.today() - dt.timedelta(days=3),
            end_date=clock.today() - dt.timedelta(days=2),
            enrolment_deadline=clock.today() - dt.timedelta(days=10),
            trainers=[{"trainer_id": t, "role": role} for t, role in trainers])
        assert self.deliver("score.catalog", catalog_events.SESSION_COMPLETED,
                            payload["session_id"], payload) == "applied"
        return payload

    def visit(self, trainer_id: str, module_code: str = "M1") -> dict:
        """Enrolment's ``visit.recorded`` by the trainer."""
        payload = visit_payload(trainer_id, module_code)
        assert self.deliver("score.enrolment", enrolment_events.VISIT_RECORDED,
                            payload["visit_id"], payload) == "applied"
        return payload

    # -- certification's users -------------------------------------------------------------
    def trainer(self, **overrides) -> str:
        """A registered trainer; returns their id (their user's id)."""
        trainer_id = f"trainer-{next(_numbers)}-{uuid.uuid4().hex[:6]}"
        response = self.client.post("/trainers", json=profile(**overrides),
                                    headers=self.auth("trainer", subject=trainer_id))
        assert response.status_code == 201, response.get_json()
        return trainer_id

    def expert(self, modules: tuple[str, ...] = ("M1",), **overrides) -> str:
        """A trainer a platform admin named expert trainer of ``modules``."""
        expert_id = self.trainer(**{"modules_of_interest": list(modules), **overrides})
        response = self.client.put(f"/trainers/{expert_id}/expert-modules",
                                   json={"modules": list(modules)}, headers=self.admin())
        assert response.status_code == 200, response.get_json()
        return expert_id

    def tot(self, trainer_id: str, module_code: str = "M1", reference: str | None = None):
        """A platform admin records the trainer's ToT; returns the response."""
        return self.client.post(f"/trainers/{trainer_id}/modules/{module_code}/tot", json={
            "reference": reference or f"TOT-{next(_numbers)}",
            "attended_on": (clock.today() - dt.timedelta(days=30)).isoformat()},
            headers=self.admin())

    def report(self, trainer_id: str, module_code: str = "M1") -> str:
        """The trainer submits a progress report; returns its id."""
        response = self.client.post(
            f"/trainers/{trainer_id}/modules/{module_code}/reports",
            json={"title": "Laporan kemajuan", "body": "Two sessions co-delivered, one led."},
            headers=self.as_trainer(trainer_id))
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def accept(self, report_id: str, expert_id: str):
        """The expert accepts the report; returns the response."""
        return self.client.post(f"/reports/{report_id}/accept",
                                json={"comments": "Well observed."},
                                headers=self.as_trainer(expert_id))

    def recommend(self, trainer_id: str, expert_id: str, decision: str = "recommend",
                  module_code: str = "M1"):
        """The expert recommends (or declines) the trainer; returns the response."""
        return self.client.post(
            f"/trainers/{trainer_id}/modules/{module_code}/recommendations",
            json={"decision": decision, "comments": "Confident facilitator."},
            headers=self.as_trainer(expert_id))

    def decide(self, trainer_id: str, action: str, reason: str | None = "audit finding",
               module_code: str = "M1"):
        """A certifier's decision; returns the response."""
        body = {} if reason is None else {"reason": reason}
        return self.client.post(f"/trainers/{trainer_id}/modules/{module_code}/{action}",
                                json=body, headers=self.admin())

    def status(self, trainer_id: str, module_code: str = "M1") -> str:
        """The trainer's status in the module, as an admin reads it."""
        response = self.client.get(f"/trainers/{trainer_id}", headers=self.admin())
        assert response.status_code == 200, response.get_json()
        return {m["module_code"]: m["status"] for m in response.get_json()["modules"]}[
            module_code]

    def ready(self, trainer_id: str, expert_id: str, module_code: str = "M1") -> None:
        """All the evidence the default rules ask before a recommendation."""
        assert self.tot(trainer_id, module_code).status_code == 201
        self.session_completed((expert_id, "lead"), (trainer_id, "co"), module_code=module_code)
        self.session_completed((trainer_id, "lead"), module_code=module_code)
        for _ in range(4):
            self.visit(trainer_id, module_code)
        assert self.accept(self.report(trainer_id, module_code), expert_id).status_code == 200

    def certified(self, trainer_id: str, expert_id: str, module_code: str = "M1") -> None:
        """The whole path to ``certified``."""
        self.ready(trainer_id, expert_id, module_code)
        assert self.recommend(trainer_id, expert_id, module_code=module_code).status_code == 201
        assert self.decide(trainer_id, "certify", None, module_code).status_code == 200
