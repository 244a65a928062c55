"""Case studies: published only under the SME's own consent, which it may withdraw before."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.enrolment.builders import register_sme
from tests.enrolment.delivery import published_events

D = dt.date
STORY = "Rework fell once the team agreed shared quality targets on the shop floor."


@pytest.fixture
def sme(client, db, policy, auth, clock):
    """An SME with a productivity baseline and follow-up; its user's headers."""
    clock.move_to(D(2026, 6, 15))
    sme_id = register_sme(db, policy, subject="case-owner", legal_name="PT Batik Sekar",
                          kbli_code="13134", province_code="33")
    headers = auth("sme_user", sme_id, "sme", subject="case-owner")
    for kind, start, end, value in (("baseline", "2026-01-01", "2026-01-31", "10"),
                                    ("follow_up", "2026-04-01", "2026-04-30", "12.5")):
        response = client.post(f"/smes/{sme_id}/kpis", headers=headers, json={
            "kpi": "productivity", "kind": kind, "period_start": start, "period_end": end,
            "method": "output and hours from production logs", "value": value})
        assert response.status_code == 201, response.json
    return sme_id, headers


def consent(client, sme, **body):
    payload = {"kpis": ["productivity", "defect_rate"], "name_published": True,
               "statement": "We agree to publish our productivity results.", **body}
    return client.post(f"/smes/{sme[0]}/case-study-consents", json=payload, headers=sme[1])


def publish(client, sme, consent_id, headers=None):
    return client.post(f"/smes/{sme[0]}/case-studies", headers=headers or sme[1], json={
        "consent_id": consent_id, "title": "Less rework at a batik workshop", "story": STORY})


def test_an_sme_publishes_its_results_under_its_consent(client, db, sme):
    given = consent(client, sme)
    assert given.status_code == 201, given.json
    assert (given.json["granted_by"], given.json["withdrawn_at"]) == ("case-owner", None)
    response = publish(client, sme, given.json["id"])
    assert response.status_code == 201, response.json
    assert response.json["sme_name"] == "PT Batik Sekar"
    # defect_rate is in scope but has no figures: only productivity is shown
    assert [(k["kpi_code"], k["baseline"], k["latest"], k["change_percent"], k["improved"])
            for k in response.json["kpis"]] == [("productivity", "10", "12.5", "25", True)]
    (event,) = published_events(db, "case_study.published")
    assert (event["consent_id"], event["consent_granted_by"], event["sme_province_code"],
            event["sme_kbli_code"]) == (given.json["id"], "case-owner", "33", "13134")
    listed = client.get(f"/smes/{sme[0]}/case-study-consents", headers=sme[1]).json["items"]
    assert listed[0]["case_study_id"] == response.json["id"]


def test_an_anonymous_consent_keeps_the_name_out(client, db, sme):
    given = consent(client, sme, name_published=False).json
    assert publish(client, sme, given["id"]).json["sme_name"] is None
    (event,) = published_events(db, "case_study.published")
    assert event["sme_name"] is None


def test_a_withdrawn_consent_publishes_nothing(client, db, sme):
    given = consent(client, sme).json
    withdrawn = client.post(f"/smes/{sme[0]}/case-study-consents/{given['id']}/withdrawal",
                            headers=sme[1])
    assert withdrawn.status_code == 200 and withdrawn.json["withdrawn_by"] == "case-owner"
    refused = publish(client, sme, given["id"])
    assert refused.status_code == 409 and "consent_id" in refused.json["errors"]
    assert published_events(db, "case_study.published") == []


def test_a_consent_serves_one_study_and_cannot_be_withdrawn_after(client, sme):
    given = consent(client, sme).json
    assert publish(client, sme, given["id"]).status_code == 201
    assert publish(client, sme, given["id"]).status_code == 409
    late = client.post(f"/smes/{sme[0]}/case-study-consents/{given['id']}/withdrawal",
                       headers=sme[1])
    assert late.status_code == 409


def test_bad_consents_and_studies_are_refused_with_field_errors(client, sme):
    unknown = consent(client, sme, kpis=["happiness"])
    assert unknown.status_code == 422 and "kpis" in unknown.json["errors"]
    empty = consent(client, sme, kpis=[])
    assert empty.status_code == 422 and "kpis" in empty.json["errors"]
    nothing = consent(client, sme, kpis=["waste"]).json  # in scope, but never reported
    refused = publish(client, sme, nothing["id"])
    assert refused.status_code == 422 and "consent_id" in refused.json["errors"]
    assert publish(client, sme, "no-such-consent").status_code == 422


@pytest.mark.parametrize("role, org, status", [
    ("sme_user", "other", 404), ("provider_staff", "prov-1", 403),
    ("ilo_auditor", None, 403), ("platform_admin", None, 403)])
def test_only_the_smes_own_users_consent_and_publish(client, auth, sme, role, org, status):
    given = consent(client, sme).json
    headers = auth(role, org if org != "other" else "another-sme", None)
    assert consent(client, (sme[0], headers)).status_code == status
    assert publish(client, sme, given["id"], headers=headers).status_code == status


@pytest.mark.parametrize("role, status", [("ilo_auditor", 200), ("platform_admin", 200),
                                          ("provider_staff", 403), ("trainer", 403)])
def test_auditors_and_admins_read_case_studies(client, auth, sme, role, status):
    assert client.get(f"/smes/{sme[0]}/case-studies",
                      headers=auth(role, "prov-1" if role == "provider_staff" else None,
                                   None)).status_code == status
