"""Sessions name registered trainers, led by a certified one: the trainers read model fed
by certification's events through the real consumer, and the setting that relaxes the lead."""

from __future__ import annotations

import pytest

from services import catalog
from services.catalog import config
from services.catalog.models import KnownTrainer, TrainerModuleStatus, TrainingSession
from services.certification import events as certification_events
from shared.config import ConfigError, load_settings
from shared.events import EventEnvelope
from shared.events.consumer import ConsumerRunner
from tests.catalog.builders import session_body
from tests.catalog.conftest import assert_problem, count_rows, outbox_types
from tests.support.apps import migrated_sqlite


class Certification:
    """Produces certification's events (validated by its own schemas) and runs the consumer."""

    def __init__(self, app) -> None:
        self.db, self.bus = app.extensions["score_db"], app.extensions["score_bus"]
        runtime = catalog.runtime()
        self.runner = ConsumerRunner(self.db, self.bus, runtime.group, runtime.handlers,
                                     max_attempts=1, backoff_ms=1)
        self.consumer = self.bus.consumer(runtime.group, runtime.handlers.topics)

    def registered(self, trainer_id: str, kind=certification_events.TRAINER_REGISTERED,
                   **changes) -> bytes:
        data = {"trainer_id": trainer_id, "full_name": "Siti Nurhaliza", "gender": "female",
                "province_code": "32", "organisation": "BEDO", "provider_id": None,
                "modules_of_interest": ["M1"], "expert_modules": [], "changed_by": "admin-1",
                **changes}
        if kind is certification_events.TRAINER_REGISTERED:
            data.setdefault("registered_by", trainer_id)
        return self._envelope(kind, trainer_id, data)

    def moved(self, trainer_id: str, status: str, previous: str, module: str = "M1") -> bytes:
        data = {"trainer_id": trainer_id, "module_code": module, "status": status,
                "previous_status": previous, "reason": None, "certified_on": None,
                "valid_until": None, "rules_version": "rules-1", "changed_by": "admin-1"}
        return self._envelope(certification_events.MODULE_STATUS_CHANGED,
                              f"{trainer_id}/{module}", data)

    @staticmethod
    def _envelope(kind, subject: str, data: dict) -> bytes:
        payload = kind.schema().dump(kind.validate(data))
        return EventEnvelope.new("/score/certification", kind.type, subject,
                                 payload).to_bytes()

    def deliver(self, *values: bytes) -> list[str]:
        producer = self.bus.producer()
        for value in values:
            producer.send("score.certification", "k", value)
        producer.flush()
        outcomes = [self.runner.process(message) for message in
                    self.consumer.poll(timeout_ms=1000, max_records=len(values))]
        assert len(outcomes) == len(values)
        return outcomes


@pytest.fixture
def certification(app):
    return Certification(app)


@pytest.fixture
def draft(build):
    """A draft session of an M1 course, with no trainers yet."""
    course = build.course(build.provider())
    return build.session(course, "draft", trainers=[])


def assign(client, staff, ts, *trainers):
    return client.patch(f"/sessions/{ts.id}", headers=staff(ts.provider_id),
                        json={"trainers": [{"trainer_id": t, "role": r} for t, r in trainers]})


def test_a_session_refuses_a_trainer_certification_never_registered(client, build, staff):
    course = build.course(build.provider())
    build.trainer("trainer-1")
    body = session_body(course.id, trainers=[{"trainer_id": "trainer-1", "role": "lead"},
                                             {"trainer_id": "stranger", "role": "co"}])
    r = client.post(f"/providers/{course.provider_id}/sessions", json=body,
                    headers=staff(course.provider_id))
    body = assert_problem(r, 422, "trainers[1].trainer_id")
    assert "trainers[0].trainer_id" not in body["errors"]
    assert count_rows(build.db, TrainingSession) == 0


def test_trainers_become_known_and_certified_through_certifications_events(
        client, db, staff, draft, certification):
    assert_problem(assign(client, staff, draft, ("t-1", "lead")), 422, "trainers[0].trainer_id")
    assert certification.deliver(certification.registered("t-1"),
                                 certification.moved("t-1", "tot_completed", "candidate")) \
        == ["applied", "applied"]
    assert assign(client, staff, draft, ("t-1", "lead")).status_code == 200
    publish = client.post(f"/sessions/{draft.id}/publish", headers=staff(draft.provider_id))
    body = assert_problem(publish, 422, "trainers[0].trainer_id")
    assert "tot_completed" in body["errors"]["trainers[0].trainer_id"][0]
    before = outbox_types(db)
    certification.deliver(certification.moved("t-1", "in_supervised_delivery", "tot_completed"),
                          certification.moved("t-1", "recommended", "in_supervised_delivery"),
                          certification.moved("t-1", "certified", "recommended"))
    assert outbox_types(db) == before  # the refused publication left nothing behind
    publish = client.post(f"/sessions/{draft.id}/publish", headers=staff(draft.provider_id))
    assert publish.status_code == 200, publish.json


def test_certified_in_another_module_is_not_enough_to_lead(client, staff, draft,
                                                           certification):
    certification.deliver(certification.registered("t-2"),
                          certification.moved("t-2", "certified", "recommended", module="M2"))
    assign(client, staff, draft, ("t-2", "lead"))
    assert_problem(client.post(f"/sessions/{draft.id}/publish",
                               headers=staff(draft.provider_id)), 422, "trainers[0].trainer_id")


def test_a_co_trainer_need_not_be_certified_and_a_published_lead_cannot_be_swapped_for_one(
        client, build, staff, certification):
    _p, _c, ts = build.world()
    certification.deliver(certification.registered("mentee"),
                          certification.moved("mentee", "in_supervised_delivery",
                                              "tot_completed"))
    r = assign(client, staff, ts, ("trainer-1", "lead"), ("mentee", "co"))
    assert r.status_code == 200, r.json
    assert_problem(assign(client, staff, ts, ("mentee", "lead")), 422, "trainers[0].trainer_id")


def test_redelivered_and_updated_trainer_events_keep_one_row_as_the_last_said(
        db, certification):
    first = certification.registered("t-3")
    certification.deliver(first, first, certification.registered(
        "t-3", kind=certification_events.TRAINER_UPDATED, full_name="Siti N.",
        province_code="31"))
    with db.reading() as session:
        trainer = session.get(KnownTrainer, "t-3")
        assert (trainer.full_name, trainer.province_code, trainer.gender) == (
            "Siti N.", "31", "female")
    assert count_rows(db, KnownTrainer) == 1


def test_a_status_may_arrive_before_the_registration(client, db, staff, draft, certification):
    certification.deliver(certification.moved("t-4", "certified", "recommended"))
    with db.reading() as session:
        assert session.get(TrainerModuleStatus, ("t-4", "M1")).status == "certified"
    assert_problem(assign(client, staff, draft, ("t-4", "lead")), 422, "trainers[0].trainer_id")
    certification.deliver(certification.registered("t-4"))
    assert assign(client, staff, draft, ("t-4", "lead")).status_code == 200


@pytest.fixture
def relaxed_client(tmp_path, app_config, build):
    """A catalog whose publications do not require a certified lead (same database)."""
    url = build.db.engine.url.render_as_string(hide_password=False)
    app = catalog.create_app(app_config(database_url=url, require_certified_lead="false"))
    yield app.test_client()
    app.extensions["score_db"].dispose()


def test_with_the_setting_off_an_uncertified_registered_lead_may_publish(
        client, relaxed_client, staff, draft, certification):
    certification.deliver(certification.registered("t-5"))
    assign(client, staff, draft, ("t-5", "lead"))
    url = f"/sessions/{draft.id}/publish"
    assert_problem(client.post(url, headers=staff(draft.provider_id)), 422,
                   "trainers[0].trainer_id")
    assert relaxed_client.post(url, headers=staff(draft.provider_id)).status_code == 200
    # Registration is still required: the setting relaxes certification only.
    r = relaxed_client.patch(f"/sessions/{draft.id}", headers=staff(draft.provider_id),
                             json={"trainers": [{"trainer_id": "nobody", "role": "lead"}]})
    assert_problem(r, 422, "trainers[0].trainer_id")


@pytest.mark.parametrize(("raw", "required"), [
    (None, True), ("true", True), ("ON", True), ("1", True), ("false", False), ("off", False),
    ("0", False), ("no", False)])
def test_the_setting_is_on_by_default_and_reads_yes_and_no_words(raw, required):
    environ = {} if raw is None else {config.REQUIRE_CERTIFIED_LEAD: raw}
    assert config.require_certified_lead(
        load_settings("catalog", {"database_url": "sqlite://"}, environ=environ)) is required


def test_a_misspelt_setting_stops_the_catalog_rather_than_relaxing_the_rule(tmp_path,
                                                                            app_config):
    url = migrated_sqlite(catalog.runtime(), tmp_path)
    with pytest.raises(ConfigError, match="SCORE_CATALOG_REQUIRE_CERTIFIED_LEAD"):
        catalog.create_app(app_config(database_url=url, require_certified_lead="flase"))
