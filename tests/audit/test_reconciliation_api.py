"""``/reconciliations`` over HTTP: who may read and run, paging, bad input, and the job."""

from __future__ import annotations

import json

from services import audit
from shared.cli import main
from shared.events.tables import outbox
from tests.support.apps import migrated_sqlite

ADMIN = ("platform_admin", "platform", "ilo")


def test_a_run_without_identity_compares_nothing_and_says_why(client, auth, audit_db):
    # The test settings name no service URL: no token, so no service is read.
    response = client.post("/reconciliations", headers=auth(*ADMIN))

    assert response.status_code == 201, response.get_json()
    run = response.get_json()
    assert set(run["unread"].values()) == {"no_token"}
    assert (run["differences"], run["requested_by"], run["trigger"]) == (0, "user-1", "admin")
    assert response.headers["Location"].endswith(f"/reconciliations/{run['id']}")
    with audit_db.reading() as session:
        (payload,) = session.scalars(outbox.select().with_only_columns(outbox.c.payload))
    assert json.loads(payload)["type"] == "score.audit.reconciliation.completed.v1"


def test_readers_read_runs_and_others_are_refused(client, auth):
    run = client.post("/reconciliations", headers=auth(*ADMIN)).get_json()

    for role in ("ilo_auditor", "platform_admin", "service"):
        assert client.get(f"/reconciliations/{run['id']}",
                          headers=auth(role)).status_code == 200
    for role in ("provider_staff", "sme_user"):
        assert client.get("/reconciliations", headers=auth(role)).status_code == 403
    assert client.get("/reconciliations").status_code == 401
    assert client.post("/reconciliations", headers=auth("ilo_auditor")).status_code == 403
    assert client.post("/reconciliations", headers=auth("service")).status_code == 403


def test_unknown_runs_and_bad_queries_are_problems_not_errors(client, auth):
    headers = auth("ilo_auditor")
    missing = client.get("/reconciliations/nope/differences", headers=headers)
    assert missing.status_code == 404
    assert missing.content_type == "application/problem+json"
    run = client.post("/reconciliations", headers=auth(*ADMIN)).get_json()
    for query in ("cursor=%21%21", "cursor=WyJ4Il0", "service=billing", "limit=0"):
        bad = client.get(f"/reconciliations/{run['id']}/differences?{query}", headers=headers)
        assert bad.status_code == 400, query
        assert bad.content_type == "application/problem+json"


def test_the_job_runs_once_from_the_command_line(tmp_path, monkeypatch, capsys):
    url = migrated_sqlite(audit.runtime(), tmp_path)
    monkeypatch.setenv("SCORE_AUDIT_DATABASE_URL", url)
    monkeypatch.setenv("SCORE_AUDIT_LOCAL_BUS_PATH", str(tmp_path / "bus.db"))

    assert main(["job", "audit", "reconcile", "--once"]) == 0

    assert json.loads(capsys.readouterr().out.splitlines()[-1]) == {
        "service": "audit", "job": "reconcile", "handled": 1}
