"""``/indicators`` and ``/productivity`` over HTTP: who reads what, JSON and CSV, bad filters."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from tests.audit.phase3 import case_study, completed, kpi, logged, provider, session


@pytest.fixture
def market(audit_db):
    """Two providers' deliveries, a case study and five SMEs' productivity."""
    logged(audit_db, provider("bedo"), provider("smi"), session("s1", "bedo"),
           session("s2", "smi", province="33"), completed("a", "s1", "bedo"),
           completed("b", "s2", "smi", province="33"), case_study(),
           *(k for i in range(5) for k in (kpi(f"e{i}", "baseline", "10"),
                                           kpi(f"e{i}", "follow_up", "11"))))


def items(response) -> dict:
    return {row["code"]: row for row in response.json["items"]}


@pytest.mark.parametrize("role, org, indicators, productivity", [
    ("ilo_auditor", None, 200, 200), ("platform_admin", None, 200, 200),
    ("service", None, 200, 200), ("provider_staff", "bedo", 200, 403),
    ("sme_user", "a", 403, 403), ("sponsor_staff", "k", 403, 403), ("trainer", None, 403, 403)])
def test_who_reads_indicators_and_the_productivity_view(client, auth, market, role, org,
                                                        indicators, productivity):
    headers = auth(role, org)
    assert client.get("/indicators", headers=headers).status_code == indicators
    assert client.get("/productivity", headers=headers).status_code == productivity


def test_anonymous_callers_are_refused(client, market):
    assert client.get("/indicators").status_code == 401
    assert client.get("/productivity").status_code == 401


def test_the_ilo_reads_every_indicator_with_targets_as_of_an_entry(client, auth, market):
    headers = auth("ilo_auditor")
    everything = client.get("/indicators", headers=headers)
    assert everything.json["as_of"] == 16 and everything.json["provider_id"] is None
    rows = items(everything)
    assert rows["providers_independent"] == {"code": "providers_independent", "unit": "count",
                                             "value": "2", "target": "4",
                                             "progress_percent": "50"}
    early = items(client.get("/indicators?as_of=2", headers=headers))
    assert early["providers_independent"]["value"] == "1"  # smi's session not yet logged
    west_java = items(client.get("/indicators?province=32&period=2026-Q1", headers=headers))
    assert west_java["smes_trained_indirect"]["value"] == "1"


def test_a_provider_reads_its_own_slice(client, auth, market):
    response = client.get("/indicators", headers=auth("provider_staff", "bedo"))
    assert response.json["provider_id"] == "bedo"
    rows = items(response)
    assert (rows["sessions_delivered_independent"]["value"],
            rows["case_studies_published"]["value"]) == ("1", None)


def test_indicators_and_the_productivity_view_download_as_csv(client, auth, market):
    headers = auth("ilo_auditor")
    response = client.get("/indicators?format=csv", headers=headers)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {"code": "case_studies_published", "unit": "count", "value": "1", "target": "10",
            "progress_percent": "10"} in rows
    table = list(csv.DictReader(io.StringIO(
        client.get("/productivity?format=csv", headers=headers).get_data(as_text=True))))
    assert [(r["row"], r["sector"], r["province"], r["enterprises"], r["improved"])
            for r in table] == [("cell", "C", "32", "5", "5"), ("total", "", "", "5", "5")]


@pytest.mark.parametrize("query", ["period=2026-Q5", "period=26", "province=Jawa", "as_of=-1",
                                   "as_of=x", "format=xml"])
def test_bad_filters_are_400_problems(client, auth, query):
    response = client.get(f"/indicators?{query}", headers=auth("ilo_auditor"))
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_an_empty_log_has_indicators_of_nothing(client, auth):
    response = client.get("/indicators", headers=auth("ilo_auditor"))
    assert response.json["as_of"] is None
    assert items(response)["trainers"]["value"] == "0"


def _groups(response) -> dict[str, dict]:
    return {group["key"]: {row["code"]: row["value"] for row in group["items"]}
            for group in response.json["groups"]}


def test_the_indicators_break_down_by_province_and_by_quarter_from_one_replay(
        client, auth, audit_db, market):
    logged(audit_db, session("s3", "bedo", province="33"), completed("c", "s3", "bedo",
                                                                     province="33"),
           at=dt.datetime(2026, 5, 5, 5, tzinfo=dt.UTC))
    headers = auth("ilo_auditor")

    provinces = client.get("/indicators/breakdown?by=province", headers=headers)

    assert provinces.status_code == 200, provinces.json
    assert (provinces.json["by"], provinces.json["as_of"]) == ("province", 18)
    by_province = _groups(provinces)
    assert list(by_province) == ["32", "33"]
    assert by_province["32"]["sessions_delivered_independent"] == "1"
    assert by_province["33"]["sessions_delivered_independent"] == "2"
    quarters = _groups(client.get("/indicators/breakdown?by=period&province=33",
                                  headers=headers))
    assert {q: row["smes_trained_indirect"] for q, row in quarters.items()} == {
        "2026-Q1": "1", "2026-Q2": "1"}
    first_half = _groups(client.get("/indicators/breakdown?by=province&period=2026-Q2",
                                    headers=headers))
    assert list(first_half) == ["33"]
    own = client.get("/indicators/breakdown?by=province", headers=auth("provider_staff", "smi"))
    assert own.json["provider_id"] == "smi" and list(_groups(own)) == ["33"]
    assert client.get("/indicators/breakdown?by=sector", headers=headers).status_code == 400
    assert client.get("/indicators/breakdown", headers=headers).status_code == 400
    assert client.get("/indicators/breakdown?by=period",
                      headers=auth("sme_user", "a")).status_code == 403
