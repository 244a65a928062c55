"""Reconciliation against the real services: their use cases on SQLite, their published
events in the log, their APIs served to the reconciler's HTTP client in-process, and
the audit's token from identity's client-credentials grant."""

from __future__ import annotations

import pytest

from services import catalog, certification, enrolment, identity, sponsorship
from services.audit.ingest import append
from services.audit.reconciliation import Reconciler
from services.audit.reconciliation.settings import ReconcileSettings
from services.identity.clients import ensure_client
from services.identity.context import build_identity
from shared.config import DEV_AUDIT_CLIENT_ID, DEV_AUDIT_CLIENT_SECRET
from tests.audit.inprocess import session_for
from tests.audit.logged import published
from tests.catalog.builders import Builder
from tests.certification.builders import Programme
from tests.sponsorship.builders import Market
from tests.sponsorship.test_saga import Checkout
from tests.support.apps import migrated_sqlite

ADMIN = ("platform_admin", "platform", "ilo")


@pytest.fixture
def market(tmp_path, app_config, auth, signing_key, clock):
    """Every service reconciled, with a little history each; their apps by name."""
    apps = {}
    for runtime in (catalog, certification, enrolment, identity, sponsorship):
        directory = tmp_path / runtime.__name__.rsplit(".", 1)[1]
        directory.mkdir()
        url = migrated_sqlite(runtime.runtime(), directory)
        extra = {"signing_key": signing_key.to_pem()} if runtime is identity else {}
        apps[runtime.runtime().name] = runtime.create_app(app_config(database_url=url, **extra))
    db = {name: app.extensions["score_db"] for name, app in apps.items()}
    ensure_client(db["identity"], build_identity(apps["identity"].extensions["score_settings"]),
                  DEV_AUDIT_CLIENT_ID, "SCORE audit", "service", DEV_AUDIT_CLIENT_SECRET,
                  "test")
    Builder(db["catalog"]).provider("approved")
    Builder(db["catalog"]).provider("pending")
    checkout = Checkout(Market(apps["sponsorship"], auth))
    checkout.confirm(checkout.reserve())  # committed
    checkout.reserve()  # still reserved
    Programme(apps["certification"], auth).trainer()
    yield apps
    for app in apps.values():
        app.extensions["score_db"].dispose()


def _reconciler(apps) -> Reconciler:
    config = ReconcileSettings(urls={name: f"http://{name}" for name in apps},
                               client_id=DEV_AUDIT_CLIENT_ID,
                               client_secret=DEV_AUDIT_CLIENT_SECRET)
    return Reconciler(config, http=session_for(apps))


def _log(audit_db, apps, leave_out=lambda message: False) -> None:
    records = [message for app in apps.values()
               for message in published(app.extensions["score_db"])
               if not leave_out(message)]
    with audit_db.transaction() as session:
        append(session, records)


def _run(app, client, auth, apps) -> tuple[dict, list[dict]]:
    app.extensions["audit_reconciler"] = _reconciler(apps)
    response = client.post("/reconciliations", headers=auth(*ADMIN))
    assert response.status_code == 201, response.get_json()
    run = response.get_json()
    page = client.get(f"/reconciliations/{run['id']}/differences?limit=100",
                      headers=auth("ilo_auditor", "ilo-jakarta", "ilo"))
    assert page.status_code == 200, page.get_json()
    return run, page.get_json()["items"]


def test_a_complete_log_matches_every_service(app, client, audit_db, auth, market):
    _log(audit_db, market)

    run, differences = _run(app, client, auth, market)

    assert run["unread"] == {}
    assert (run["differences"], differences) == (0, [])
    # 2 providers, 1 sponsor, its fund and offer, the trainer's status in M1.
    assert run["entities"] == 6
    listed = client.get("/reconciliations", headers=auth("service")).get_json()["items"]
    assert [item["id"] for item in listed] == [run["id"]]


def test_an_event_left_out_of_the_log_is_found_and_named(app, client, audit_db, auth, market):
    dropped = next(m for m in published(sponsorship_db(market))
                   if m.headers["ce_type"] == b"score.sponsorship.reservation.committed.v1")
    _log(audit_db, market, leave_out=lambda message: message.value == dropped.value)

    run, differences = _run(app, client, auth, market)

    assert run["differences"] == len(differences) == 2
    fields = {(d["service"], d["entity"], d["field"], d["log_value"], d["service_value"])
              for d in differences}
    share = 5_000_000
    assert fields == {("sponsorship", "fund", "reserved", str(2 * share), str(share)),
                      ("sponsorship", "fund", "committed", "0", str(share))}
    # The last logged event about the fund is the reservation made after the lost commit.
    last = {(d["last_seq"], d["last_event_id"]) for d in differences}
    (seq, event_id), = last
    entry = audit_db.engine.connect().exec_driver_sql(
        "SELECT type FROM entries WHERE seq = ? AND event_id = ?", (seq, event_id)).scalar()
    assert entry == "score.sponsorship.reservation.created.v1"


def sponsorship_db(apps):
    """The sponsorship app's database."""
    return apps["sponsorship"].extensions["score_db"]
