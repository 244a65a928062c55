"""The README's run command: every service, the local bus and demo data, on one machine.

Starts ``score run`` as a newcomer would (in a scratch data directory, on free
ports) and uses the marketplace over HTTP: public search, a demo login whose
provider membership arrives through events, the auditor's read-only view, and
the audit log holding every demo event once (read by the seeded ILO feed reader).
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.support.marketplace import embedded_marketplace

pytestmark = pytest.mark.e2e
PASSWORD = "score-demo-2026"


@pytest.fixture(scope="module")
def marketplace(tmp_path_factory):
    with embedded_marketplace(tmp_path_factory.mktemp("embedded")) as market:
        yield market


def wait_for(predicate, timeout_s: float, explain=lambda: "") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out; {explain()}")


def call(url: str, data: dict | None = None, token: str | None = None, form: bool = False):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = None
    if data is not None:
        body = (urllib.parse.urlencode(data) if form else json.dumps(data)).encode()
        headers["Content-Type"] = ("application/x-www-form-urlencoded" if form
                                   else "application/json")
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def login(marketplace, email: str) -> tuple[str, dict]:
    status, body = call(f"{marketplace['identity']}/oauth/token",
                        {"grant_type": "password", "username": email, "password": PASSWORD},
                        form=True)
    assert status == 200, body
    payload = body["access_token"].split(".")[1]
    return body["access_token"], json.loads(base64.urlsafe_b64decode(payload + "=="))


def test_the_public_can_search_the_seeded_sessions(marketplace):
    status, page = call(f"{marketplace['catalog']}/sessions?module=M1&limit=5")
    assert status == 200 and len(page["items"]) == 5
    assert {item["course"]["module_code"] for item in page["items"]} == {"M1"}


def test_provider_staff_get_their_membership_through_events_and_manage_their_provider(
        marketplace):
    claims: dict = {}

    def has_org() -> bool:
        claims.update(login(marketplace, "staff@bedo.example")[1])
        return bool(claims.get("org"))

    wait_for(has_org, 60, lambda: f"claims: {claims}")
    token, _ = login(marketplace, "staff@bedo.example")
    status, provider = call(f"{marketplace['catalog']}/providers/{claims['org']}", token=token)
    assert status == 200 and provider["legal_name"] == "BEDO"
    status, _ = call(f"{marketplace['catalog']}/providers/{claims['org']}/sessions"
                     "?status=draft", token=token)
    assert status == 200


def test_the_demo_sme_owner_gets_its_sme_through_events_and_reads_its_training(marketplace):
    claims: dict = {}

    def has_org() -> bool:
        claims.update(login(marketplace, "owner@sme.example")[1])
        return bool(claims.get("org"))

    wait_for(has_org, 60, lambda: f"claims: {claims}")
    token, _ = login(marketplace, "owner@sme.example")
    sme_id = claims["org"]
    status, sme = call(f"{marketplace['enrolment']}/smes/{sme_id}", token=token)
    assert status == 200 and sme["legal_name"] == "CV Tenun Nusantara"
    status, page = call(f"{marketplace['enrolment']}/enrolments", token=token)
    assert status == 200 and {"completed", "confirmed"} <= {e["status"] for e in page["items"]}
    completed = next(e for e in page["items"] if e["status"] == "completed")
    status, sheet = call(f"{marketplace['enrolment']}/enrolments/{completed['id']}/attendance",
                         token=token)
    assert status == 200 and all(p["completed"] is not None for p in sheet["participants"])
    status, report = call(f"{marketplace['enrolment']}/smes/{sme_id}/kpis/report", token=token)
    assert status == 200
    assert next(k for k in report["kpis"] if k["kpi"] == "productivity")["improved"] is True


def test_the_mailer_writes_the_demos_emails_as_files(marketplace):
    mail = marketplace.data_dir / "mail"
    wait_for(lambda: len(list(mail.glob("*.eml"))) >= 10, 60,
             lambda: f"{len(list(mail.glob('*.eml')))} emails in {mail}")


def test_the_ilo_auditor_reads_everything_and_writes_nothing(marketplace):
    token, claims = login(marketplace, "auditor@ilo.example")
    assert claims["role"] == "ilo_auditor"
    status, providers = call(f"{marketplace['catalog']}/providers?status=approved",
                             token=token)
    assert status == 200 and len(providers["items"]) == 8
    status, problem = call(f"{marketplace['catalog']}/providers", {"legal_name": "X"},
                           token=token)
    assert status == 403 and problem["title"] == "Forbidden"


def published_events(data) -> dict[str, bytes]:
    """Every event on the local bus's service topics (dead letters left out), by id."""
    conn = sqlite3.connect(data / "bus.db")
    try:
        rows = conn.execute("SELECT topic, value FROM records").fetchall()
    finally:
        conn.close()
    return {json.loads(value)["id"]: bytes(value) for topic, value in rows
            if re.match(r"^score\.[a-z0-9_]+$", topic)}


def test_the_audit_log_holds_every_demo_event_once_for_the_ilo_feed_reader(marketplace):
    assert "client_id=ilo-feed-reader client_secret=" in marketplace.log.read_text()
    status, body = call(f"{marketplace['identity']}/oauth/token", {
        "grant_type": "client_credentials", "client_id": "ilo-feed-reader",
        "client_secret": "score-demo-2026-feed-reader"}, form=True)
    assert status == 200, body
    token = body["access_token"]
    published = published_events(marketplace.data_dir)
    assert len(published) > 100  # every service's demo

    def exported() -> list[bytes]:
        request = urllib.request.Request(f"{marketplace['audit']}/entries/export",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read().splitlines()

    def logged() -> dict[str, bytes]:
        return {json.loads(line)["id"]: line for line in exported()}

    wait_for(lambda: published.keys() <= logged().keys(), 60,
             lambda: f"{len(published.keys() - logged().keys())} events not logged yet")
    lines = exported()
    assert len(lines) == len({json.loads(line)["id"] for line in lines})  # each once
    found = logged()
    assert all(found[event_id] == value for event_id, value in published.items())
    status, page = call(f"{marketplace['audit']}/entries?limit=1", token=token)
    assert status == 200 and page["items"][0]["seq"] == 0


def test_the_launcher_stops_every_service_on_sigterm(marketplace):
    process = marketplace.process
    os.killpg(process.pid, signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{marketplace['catalog']}/healthz", timeout=2)
