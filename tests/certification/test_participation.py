"""Participation certificates from enrolment's ``enrolment.completed``, through the consumer:
one per participant who completed, never two, whatever is redelivered."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from services import certification
from services.certification.models import Credential
from services.enrolment import events as enrolment_events
from shared.events import EventEnvelope
from shared.events.consumer import ConsumerRunner
from tests.certification.issued import claims, outbox_types
from tests.certification.test_credentials import validator  # noqa: F401


class Consumer:
    """Certification's consumer on the app's local bus, one message at a time."""

    def __init__(self, app) -> None:
        self.bus, runtime = app.extensions["score_bus"], certification.runtime()
        self.runner = ConsumerRunner(app.extensions["score_db"], self.bus, runtime.group,
                                     runtime.handlers, max_attempts=1, backoff_ms=1)
        self.consumer = self.bus.consumer(runtime.group, runtime.handlers.topics)

    def send(self, value: bytes, subject: str) -> str:
        producer = self.bus.producer()
        producer.send("score.enrolment", subject, value)
        producer.flush()
        (message,) = self.consumer.poll(timeout_ms=1000, max_records=1)
        outcome = self.runner.process(message)
        self.consumer.commit(message)
        return outcome


def completed_payload(outcomes: list[tuple[str, str, bool]]) -> dict:
    """A valid ``enrolment.completed`` as enrolment publishes it."""
    enrolment_id = str(uuid.uuid4())
    return {
        "enrolment_id": enrolment_id, "hold_id": enrolment_id,
        "session_id": str(uuid.uuid4()), "sme_id": str(uuid.uuid4()),
        "provider_id": str(uuid.uuid4()), "module_code": "M3", "ilo_supervised": True,
        "session_province_code": "32", "sme_province_code": "32", "sme_kbli_code": "13111",
        "sme_size_class": "small", "status": "completed", "participants": len(outcomes),
        "managers": 1, "workers": len(outcomes) - 1, "women": 1, "men": len(outcomes) - 1,
        "price_per_participant": 2_500_000, "amount_due": 2_500_000 * len(outcomes),
        "sme_share": 2_500_000 * len(outcomes), "sponsor_share": 0, "reservation_id": None,
        "expires_at": None, "reason": None, "changed_by": "provider-staff",
        "classroom_days": 2, "title_en": "Cleaner Production",
        "start_date": dt.date(2026, 11, 2), "end_date": dt.date(2026, 11, 3),
        "provider_name": "PT Pelatihan Maju",
        "outcomes": [{"participant_id": pid, "full_name": name, "gender": "female",
                      "role": "worker", "days_present": 2 if done else 0, "completed": done}
                     for pid, name, done in outcomes],
    }


def envelope(payload: dict) -> bytes:
    kind = enrolment_events.ENROLMENT_COMPLETED
    return EventEnvelope.new("/score/enrolment", kind.type, payload["enrolment_id"],
                             kind.validate(payload)).to_bytes()


@pytest.fixture
def consumer(app):
    return Consumer(app)


def _credentials(app) -> list[Credential]:
    with app.extensions["score_db"].reading() as session:
        return list(session.scalars(select(Credential).order_by(Credential.subject_name)))


def test_each_participant_who_completed_gets_one_schema_valid_certificate(
        app, consumer, validator):  # noqa: F811
    ani, budi, cici = (str(uuid.uuid4()) for _ in range(3))
    payload = completed_payload([(ani, "Ani", True), (budi, "Budi", False), (cici, "Cici", True)])
    assert consumer.send(envelope(payload), payload["enrolment_id"]) == "applied"
    found = _credentials(app)
    assert [(c.kind, c.participant_id, c.subject_name) for c in found] == [
        ("participation", ani, "Ani"), ("participation", cici, "Cici")]
    for credential in found:
        document = {k: v for k, v in claims(credential.token).items()
                    if k not in ("iss", "jti", "sub", "nbf", "exp")}
        validator.validate(document)
        assert document["credentialSubject"]["achievement"]["humanCode"] == "M3"
        assert credential.enrolment_id == payload["enrolment_id"]
        assert "validUntil" not in document
    assert outbox_types(app.extensions["score_db"]).count("credential.issued") == 2
    assert len({c.status_index for c in found}) == 2


def test_a_redelivered_or_repeated_event_issues_nothing_new(app, consumer, client):
    ani = str(uuid.uuid4())
    payload = completed_payload([(ani, "Ani", True)])
    value = envelope(payload)
    assert consumer.send(value, payload["enrolment_id"]) == "applied"
    consumer.send(value, payload["enrolment_id"])  # the same event again (the inbox)
    # A new event about the same participant (another id): the unique participant.
    assert consumer.send(envelope(payload), payload["enrolment_id"]) == "applied"
    (only,) = _credentials(app)
    assert only.participant_id == ani
    assert outbox_types(app.extensions["score_db"]).count("credential.issued") == 1
    result = client.post("/credentials/verify", json={"token": only.token}).get_json()
    assert result["valid"] is True


def test_an_enrolment_nobody_completed_issues_nothing(app, consumer):
    payload = completed_payload([(str(uuid.uuid4()), "Ani", False)])
    assert consumer.send(envelope(payload), payload["enrolment_id"]) == "applied"
    assert _credentials(app) == []


def test_session_dates_and_provider_name_are_used_when_enrolment_sends_them(app, consumer):
    payload = completed_payload([(str(uuid.uuid4()), "Ani", True)])
    payload.update(start_date="2026-03-02", end_date="2026-03-04",
                   provider_name="PT Mitra Pelatihan")
    kind = enrolment_events.ENROLMENT_COMPLETED
    value = EventEnvelope.new("/score/enrolment", kind.type, payload["enrolment_id"],
                              payload).to_bytes()
    assert consumer.send(value, payload["enrolment_id"]) == "applied"
    (credential,) = _credentials(app)
    subject = claims(credential.token)["credentialSubject"]
    assert subject["activityStartDate"] == "2026-03-02T00:00:00Z"
    assert subject["activityEndDate"] == "2026-03-04T00:00:00Z"
    assert subject["source"]["name"] == "PT Mitra Pelatihan"


def test_an_smes_users_list_their_participants_certificates_and_no_one_elses(
        app, consumer, client, auth):
    ani, budi = str(uuid.uuid4()), str(uuid.uuid4())
    ours = completed_payload([(ani, "Ani", True), (budi, "Budi", False)])
    theirs = completed_payload([(str(uuid.uuid4()), "Cici", True)])
    for payload in (ours, theirs):
        assert consumer.send(envelope(payload), payload["enrolment_id"]) == "applied"
    sme = ours["sme_id"]

    listed = client.get(f"/smes/{sme}/credentials", headers=auth("sme_user", sme, "sme"))

    assert listed.status_code == 200
    (certificate,) = listed.get_json()["items"]
    assert (certificate["subject_name"], certificate["participant_id"],
            certificate["enrolment_id"], certificate["module_code"],
            certificate["revoked"]) == ("Ani", ani, ours["enrolment_id"], "M3", False)
    assert client.post("/credentials/verify", json={"token": certificate["token"]}
                       ).get_json()["valid"] is True
    # Another SME's users find nothing there; the auditor reads it; other roles may not.
    other = auth("sme_user", theirs["sme_id"], "sme")
    assert client.get(f"/smes/{sme}/credentials", headers=other).status_code == 404
    assert client.get(f"/smes/{sme}/credentials",
                      headers=auth("ilo_auditor")).get_json()["items"] == [certificate]
    assert client.get(f"/smes/{sme}/credentials",
                      headers=auth("trainer")).status_code == 403
    assert client.get(f"/smes/{sme}/credentials").status_code == 401
