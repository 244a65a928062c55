"""Catalog and enrolment on real PostgreSQL and Kafka, each with its own relay and consumer:
a published session reaches enrolment's read model, a hold lowers catalog's free seats, and
a session cancelled in catalog cancels the enrolment and gives the seats back."""

from __future__ import annotations

import uuid

import pytest

from services import catalog, enrolment
from services.enrolment.models import Enrolment, OfferedSession
from tests.catalog.builders import Builder
from tests.enrolment.builders import register_sme, team
from tests.support.flows import eventually, workers

pytestmark = pytest.mark.integration


@pytest.fixture
def apps(postgres, kafka_bootstrap, app_config):
    """Catalog and enrolment apps, each on its own fresh database, both on the broker."""
    made = {}
    for runtime in (catalog, enrolment):
        name = f"flow_{runtime.__name__.rsplit('.', 1)[-1]}_{uuid.uuid4().hex[:8]}"
        made[runtime] = (runtime.create_app(app_config(
            database_url=postgres.create_database(name), bus="kafka",
            kafka_bootstrap=kafka_bootstrap, auto_migrate=True)), name)
    yield made[catalog][0], made[enrolment][0]
    for app, name in made.values():
        app.extensions["score_db"].dispose()
        postgres.drop_database(name)


def test_a_session_flows_to_enrolment_and_holds_and_cancellations_flow_back(apps, auth):
    catalog_app, enrolment_app = apps
    catalog_client, enrolment_client = catalog_app.test_client(), enrolment_app.test_client()
    enrolment_db = enrolment_app.extensions["score_db"]
    build = Builder(catalog_app.extensions["score_db"])
    provider = build.provider()
    ts = build.session(build.course(provider), "draft", capacity=12)
    staff = auth("provider_staff", provider.id, "provider")
    sme_id = register_sme(enrolment_db, enrolment_app.extensions["enrolment_policy"],
                          subject="sari")
    sme = auth("sme_user", sme_id, "sme", subject="sari")

    with workers(catalog_app, "catalog"), workers(enrolment_app, "enrolment"):
        assert catalog_client.post(f"/sessions/{ts.id}/publish",
                                   headers=staff).status_code == 200

        def known() -> bool:
            with enrolment_db.reading() as session:
                return session.get(OfferedSession, ts.id) is not None

        eventually(known, "enrolment knows the session")
        seen = enrolment_client.get(f"/sessions/{ts.id}", headers=sme).json
        assert (seen["status"], seen["capacity"], seen["price_per_participant"]) == (
            "published", 12, 2_500_000)

        response = enrolment_client.post(f"/sessions/{ts.id}/enrolments",
                                         json={"participants": team(4)}, headers=sme)
        assert response.status_code == 201, response.json
        enrolment_id = response.json["id"]

        def catalog_seats() -> tuple[int, int]:
            body = catalog_client.get(f"/sessions/{ts.id}").json
            return body["seats_taken"], body["seats_free"]

        eventually(lambda: catalog_seats() == (4, 8), "catalog counts the hold")

        assert catalog_client.post(f"/sessions/{ts.id}/cancel", json={"reason": "no venue"},
                                   headers=staff).status_code == 200

        def cancelled() -> bool:
            with enrolment_db.reading() as session:
                return session.get(Enrolment, enrolment_id).status == "cancelled"

        eventually(cancelled, "the enrolment is cancelled")
        eventually(lambda: catalog_seats() == (0, 12), "catalog frees the seats")
    with enrolment_db.reading() as session:
        enrolment_row = session.get(Enrolment, enrolment_id)
        offered = session.get(OfferedSession, ts.id)
        assert enrolment_row.status_reason == "session cancelled: no venue"
        assert (offered.status, offered.seats_held, offered.seats_confirmed) == ("cancelled", 0, 0)
