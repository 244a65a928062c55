"""Enterprise KPIs: definitions, append-only reports with corrections, the baseline report."""

from __future__ import annotations

import datetime as dt

import pytest

from shared import clock as shared_clock
from tests.enrolment.builders import days, register_sme
from tests.enrolment.delivery import PROVIDER, TRAINERS, enrolled_team, published_events

D = dt.date


@pytest.fixture
def sme(db, policy, auth):
    """A registered SME (not enrolled anywhere) and its user's headers."""
    sme_id = register_sme(db, policy, subject="kpi-owner")
    return sme_id, auth("sme_user", sme_id, "sme", subject="kpi-owner")


def report(client, headers, sme_id, **body):
    payload = {"kpi": "productivity", "kind": "baseline", "period_start": "2026-01-01",
               "period_end": "2026-03-31", "method": "output and hours from production logs",
               "value": "10", **body}
    return client.post(f"/smes/{sme_id}/kpis", json=payload, headers=headers)


@pytest.fixture
def spring(clock):
    """Mid-2026, so that the first quarter lies behind."""
    clock.move_to(D(2026, 6, 15))


def test_anyone_lists_the_kpi_definitions_with_names_units_and_directions(client):
    response = client.get("/kpis")
    assert response.status_code == 200
    kpis = {k["code"]: k for k in response.json["items"]}
    assert len(kpis) == 8
    assert kpis["defect_rate"] == {"code": "defect_rate", "name_id": "Tingkat cacat",
                                   "name_en": "Defect rate", "unit": "% of output",
                                   "direction": "lower_is_better"}


def test_an_sme_reports_a_baseline_announced_with_its_profile(client, db, sme, spring):
    response = report(client, sme[1], sme[0], value="12.50")
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["kpi"], body["kind"], body["value"], body["version"]) == (
        "productivity", "baseline", "12.5", 1)
    assert body["superseded_by"] is None and body["reported_by"] == "kpi-owner"
    (event,) = published_events(db, "kpi.reported")
    assert (event["value"], event["kpi_code"], event["sme_province_code"]) == (
        "12.5000", "productivity", "32")


def test_a_correction_is_a_new_version_and_history_keeps_both(client, sme, spring):
    first = report(client, sme[1], sme[0], value="10").json
    second = report(client, sme[1], sme[0], value="11", corrects=first["id"],
                    note="jam kerja lembur terlewat")
    assert second.status_code == 201
    assert (second.json["version"], second.json["supersedes_id"]) == (2, first["id"])
    history = client.get(f"/smes/{sme[0]}/kpis", headers=sme[1]).json["items"]
    assert [(h["version"], h["value"], h["superseded_by"]) for h in history] == [
        (1, "10", second.json["id"]), (2, "11", None)]


def test_only_the_latest_version_of_a_chain_is_corrected(client, sme, spring):
    first = report(client, sme[1], sme[0]).json
    report(client, sme[1], sme[0], value="11", corrects=first["id"])
    stale = report(client, sme[1], sme[0], value="12", corrects=first["id"])
    assert stale.status_code == 409 and "corrects" in stale.json["errors"]


def test_a_kpi_has_one_baseline_and_a_correction_keeps_kpi_and_kind(client, db, policy, sme,
                                                                     spring):
    first = report(client, sme[1], sme[0]).json
    again = report(client, sme[1], sme[0], value="9")
    assert again.status_code == 409 and "kind" in again.json["errors"]
    other_kpi = report(client, sme[1], sme[0], kpi="waste", corrects=first["id"])
    assert other_kpi.status_code == 422 and "kpi" in other_kpi.json["errors"]
    other_sme = register_sme(db, policy, subject="someone")
    foreign = report(client, sme[1], sme[0], corrects="no-such-report")
    assert foreign.status_code == 422 and "corrects" in foreign.json["errors"]
    assert other_sme != sme[0]


@pytest.mark.parametrize(("change", "field"), [
    ({"value": "1e5"}, "value"), ({"value": "-1"}, "value"), ({"value": "12345678901"}, "value"),
    ({"value": "1.23456"}, "value"), ({"value": 12}, "value"), ({"kpi": "happiness"}, "kpi"),
    ({"kind": "guess"}, "kind"), ({"period_end": "2025-12-31"}, "period_end"),
    ({"period_end": "2026-12-31"}, "period_end"), ({"method": "x"}, "method"),
])
def test_an_invalid_report_names_the_field_and_writes_nothing(client, db, sme, spring, change,
                                                              field):
    response = report(client, sme[1], sme[0], **change)
    assert response.status_code == 422 and field in response.json["errors"], response.json
    assert published_events(db, "kpi.reported") == []


def test_a_baseline_is_measured_before_the_first_session_starts(client, db, policy, auth,
                                                                catalog, clock):
    course = catalog.session(provider_id=PROVIDER, trainers=TRAINERS, start_date=days(30),
                             end_date=days(31))
    team = enrolled_team(client, db, policy, auth, course["session_id"])
    clock.move_to(course["start_date"] + dt.timedelta(days=90))
    start = course["start_date"]
    late = report(client, team.sme, team.sme_id, period_start=str(start - dt.timedelta(days=30)),
                  period_end=str(start))
    assert late.status_code == 422 and "period_end" in late.json["errors"]
    early = report(client, team.sme, team.sme_id, period_start=str(start - dt.timedelta(days=60)),
                   period_end=str(start - dt.timedelta(days=1)))
    assert early.status_code == 201
    follow_up = report(client, team.sme, team.sme_id, kind="follow_up",
                       period_start=str(start + dt.timedelta(days=30)),
                       period_end=str(start + dt.timedelta(days=60)))
    assert follow_up.status_code == 201


def test_the_report_sets_the_latest_follow_up_against_the_baseline(client, sme, spring):
    report(client, sme[1], sme[0], value="10")
    report(client, sme[1], sme[0], kind="follow_up", value="15", period_start="2026-05-01",
           period_end="2026-05-31")
    report(client, sme[1], sme[0], kind="follow_up", value="12", period_start="2026-04-01",
           period_end="2026-04-30")
    report(client, sme[1], sme[0], kpi="defect_rate", value="4")
    report(client, sme[1], sme[0], kpi="defect_rate", kind="follow_up", value="5",
           period_start="2026-05-01", period_end="2026-05-31")
    response = client.get(f"/smes/{sme[0]}/kpis/report", headers=sme[1])
    assert response.status_code == 200
    kpis = {k["kpi"]: k for k in response.json["kpis"]}
    assert len(kpis) == 8 and kpis["waste"]["baseline"] is None
    productivity = kpis["productivity"]
    assert productivity["latest_follow_up"]["value"] == "15"
    assert (productivity["change"], productivity["change_percent"],
            productivity["improved"]) == ("5", "50", True)
    defects = kpis["defect_rate"]
    assert (defects["change"], defects["change_percent"], defects["improved"]) == (
        "1", "25", False)


def test_a_provider_that_trained_the_sme_reports_on_its_behalf(client, db, policy, auth,
                                                               catalog, clock):
    course = catalog.session(provider_id=PROVIDER, trainers=TRAINERS, start_date=days(30),
                             end_date=days(31))
    trained = enrolled_team(client, db, policy, auth, course["session_id"])
    held = enrolled_team(client, db, policy, auth, course["session_id"], confirmed=False)
    clock.move_to(course["start_date"] + dt.timedelta(days=90))
    staff = auth("provider_staff", PROVIDER, "provider", subject="staff-1")
    body = {"kind": "follow_up", "period_start": str(shared_clock.today() - dt.timedelta(30)),
            "period_end": str(shared_clock.today())}
    assert report(client, staff, trained.sme_id, **body).status_code == 201
    assert report(client, staff, held.sme_id, **body).status_code == 403
    other = auth("provider_staff", "prov-2", "provider")
    assert report(client, other, trained.sme_id, **body).status_code == 404
    assert client.get(f"/smes/{held.sme_id}/kpis", headers=staff).status_code == 200
    assert client.get(f"/smes/{trained.sme_id}/kpis", headers=other).status_code == 404


def test_auditors_read_every_smes_kpis_and_other_smes_read_none(client, db, policy, auth, sme,
                                                                spring):
    report(client, sme[1], sme[0])
    auditor = auth("ilo_auditor")
    assert len(client.get(f"/smes/{sme[0]}/kpis", headers=auditor).json["items"]) == 1
    assert report(client, auditor, sme[0], value="1").status_code == 403
    neighbour = register_sme(db, policy, subject="neighbour")
    headers = auth("sme_user", neighbour, "sme", subject="neighbour")
    assert client.get(f"/smes/{sme[0]}/kpis/report", headers=headers).status_code == 404
    assert report(client, headers, sme[0]).status_code == 404
