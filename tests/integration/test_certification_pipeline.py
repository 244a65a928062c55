"""A trainer certified from real catalog and enrolment events on Kafka and PostgreSQL.

Catalog, enrolment and certification run on their own databases with their own
relays and consumers on the broker. A trainer registers with certification;
catalog learns the trainer from certification's events. The trainer leads a
catalog session that is delivered (``session.completed``) and makes a
consultancy visit recorded in enrolment (``visit.recorded``); certification's
consumer turns both into evidence. With the ToT, an accepted report and an
expert's recommendation the trainer is certified, a credential is issued, and
its revocation flips its bit in the published status list: verification says
"revoked".
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from services import catalog, certification, enrolment
from services.catalog import service as catalog_service
from services.catalog.models import KnownTrainer
from services.catalog.schemas import SessionIn
from services.certification.models import Credential, Evidence
from services.enrolment.models import OfferedSession
from shared import clock
from tests.catalog.builders import Builder, days, session_body
from tests.certification.builders import Programme
from tests.certification.issued import set_bits
from tests.enrolment.delivery import enrolled_team
from tests.support.flows import eventually, workers

pytestmark = pytest.mark.integration

# One supervised cycle, small: a led session (which also counts as delivered) and a visit.
RULES = {"all": {"min_sessions_lead": 1, "min_sessions_co": 1, "min_visits": 1}}


@pytest.fixture
def market(postgres, kafka_bootstrap, app_config):
    """Catalog, enrolment and certification on their own databases, all on Kafka."""
    names = {name: f"cert_{name}_{uuid.uuid4().hex[:10]}"
             for name in ("catalog", "enrolment", "certification")}
    kafka = {"bus": "kafka", "kafka_bootstrap": kafka_bootstrap, "auto_migrate": True}
    apps = {
        # The trainer is not certified yet when they lead: the lead rule is off here.
        "catalog": catalog.create_app(app_config(
            database_url=postgres.create_database(names["catalog"]), **kafka,
            require_certified_lead=False)),
        "enrolment": enrolment.create_app(app_config(
            database_url=postgres.create_database(names["enrolment"]), **kafka)),
        "certification": certification.create_app(app_config(
            database_url=postgres.create_database(names["certification"]), **kafka,
            rules=RULES)),
    }
    yield apps
    for name, app in apps.items():
        app.extensions["score_db"].dispose()
        postgres.drop_database(names[name])


def _evidence(app, trainer_id: str) -> set[str]:
    with app.extensions["score_db"].reading() as session:
        return set(session.scalars(select(Evidence.kind).where(
            Evidence.trainer_id == trainer_id)))


def _known_to_catalog(app, trainer_id: str) -> bool:
    with app.extensions["score_db"].reading() as session:
        return session.get(KnownTrainer, trainer_id) is not None


def _offered(app, session_id: str) -> OfferedSession | None:
    with app.extensions["score_db"].reading() as session:
        return session.get(OfferedSession, session_id)


def test_delivery_events_certify_a_trainer_whose_credential_is_then_revoked(market, auth):
    cert_app, catalog_app, enrol_app = (market["certification"], market["catalog"],
                                        market["enrolment"])
    programme = Programme(cert_app, auth)
    enrol_client = enrol_app.test_client()
    build = Builder(catalog_app.extensions["score_db"])
    provider = build.provider()
    course = build.course(provider)
    staff = build.staff(provider.id)

    with workers(catalog_app, "catalog"), workers(enrol_app, "enrolment"), \
            workers(cert_app, "certification"):
        expert = programme.expert()
        trainer = programme.trainer()
        assert programme.tot(trainer).status_code == 201
        eventually(lambda: _known_to_catalog(catalog_app, trainer),
                   "catalog learns the trainer from certification's events")

        # The trainer leads a session starting today; an SME's team is confirmed in it.
        ts = catalog_service.create_session(
            build.db, staff, provider.id, catalog_service_body(course.id, trainer))
        catalog_service.publish_session(build.db, staff, ts.id, require_certified_lead=False)
        eventually(lambda: _offered(enrol_app, ts.id) is not None, "enrolment learns it")
        team = enrolled_team(enrol_client, enrol_app.extensions["score_db"],
                             enrol_app.extensions["enrolment_policy"], auth, ts.id, size=2)
        catalog_service.start_session(build.db, staff, ts.id)
        catalog_service.complete_session(build.db, staff, ts.id)

        # The trainer visits the SME: scheduled by the provider, recorded by the trainer.
        provider_staff = auth("provider_staff", provider.id, "provider")
        eventually(lambda: _offered(enrol_app, ts.id).status == "completed",
                   "enrolment learns the session was delivered")
        planned = enrol_client.post(f"/enrolments/{team.enrolment_id}/visits", json={
            "scheduled_on": clock.today().isoformat(), "trainer_id": trainer},
            headers=provider_staff)
        assert planned.status_code == 201, planned.json
        recorded = enrol_client.post(f"/visits/{planned.json['id']}/record", json={
            "visited_on": clock.today().isoformat(), "duration_minutes": 120,
            "topics": ["Kerja sama di tempat kerja"],
            "members_present": team.participants[:1]},
            headers=auth("trainer", trainer, "trainer", subject=trainer))
        assert recorded.status_code == 200, recorded.json

        eventually(lambda: {"session_lead", "visit"} <= _evidence(cert_app, trainer),
                   "certification records the delivered session and the visit")
        assert programme.status(trainer) == "in_supervised_delivery"
        assert programme.accept(programme.report(trainer), expert).status_code == 200
        assert programme.recommend(trainer, expert).status_code == 201
        assert programme.decide(trainer, "certify", None).status_code == 200
        assert programme.status(trainer) == "certified"

        with cert_app.extensions["score_db"].reading() as session:
            credential = session.scalar(select(Credential).where(
                Credential.trainer_id == trainer))
        client = cert_app.test_client()
        assert client.post("/credentials/verify",
                           json={"token": credential.token}).get_json()["valid"] is True

        assert programme.decide(trainer, "revoke", "sessions reported but not delivered") \
            .status_code == 200
        published = client.get(f"/status-lists/{credential.status_list_id}")
        assert set_bits(published.get_data(as_text=True)) == [credential.status_index]
        answer = client.post("/credentials/verify", json={"token": credential.token}).get_json()
        assert answer["valid"] is False and "REVOKED" in answer["reasons"]


def catalog_service_body(course_id: str, trainer_id: str) -> dict:
    """A session of ``course_id`` starting today, led by ``trainer_id`` (catalog's schema)."""
    return SessionIn().load(session_body(
        course_id, start_date=days(0).isoformat(), end_date=days(0).isoformat(),
        enrolment_deadline=days(0).isoformat(),
        trainers=[{"trainer_id": trainer_id, "role": "lead"}]))
