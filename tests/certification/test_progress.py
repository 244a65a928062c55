"""From candidate to certified: evidence through the real consumer, people's decisions over
HTTP, 409s that name what is missing, and what each step publishes."""

from __future__ import annotations

import datetime as dt

import pytest

from services.certification import rules
from services.certification.models import ModuleStatus
from services.certification.service import expiry, issuing
from services.enrolment import events as enrolment_events
from shared import clock as wib
from tests.certification.conftest import published


@pytest.fixture
def hooks(monkeypatch):
    """The credential hooks' calls: (hook, trainer id, module, status at the call)."""
    calls: list[tuple] = []
    monkeypatch.setattr(issuing, "on_certified", lambda session, trainer, status, *, actor:
                        calls.append(("certified", trainer.id, status.module_code,
                                      status.status, actor)))
    monkeypatch.setattr(issuing, "on_revoked", lambda session, trainer, status, *, actor,
                        reason: calls.append(("revoked", trainer.id, status.module_code,
                                              status.status, reason)))
    return calls


def _assessment(programme, trainer, headers=None, module="M1") -> dict:
    response = programme.client.get(f"/trainers/{trainer}/modules/{module}/assessment",
                                    headers=headers or programme.as_trainer(trainer))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_story_from_candidate_to_certified(programme, db, clock, hooks):
    expert = programme.expert(("M1",))
    trainer = programme.trainer()
    assert _assessment(programme, trainer)["missing"][0]["code"] == "MISSING_TOT"

    assert programme.tot(trainer).status_code == 201
    assert programme.status(trainer) == "tot_completed"

    programme.session_completed((expert, "lead"), (trainer, "co"))
    assert programme.status(trainer) == "in_supervised_delivery"
    programme.session_completed((trainer, "lead"))
    for _ in range(4):
        programme.visit(trainer)
    assert [m["code"] for m in _assessment(programme, trainer)["missing"]] == [
        "REPORT_NOT_ACCEPTED", "NO_RECOMMENDATION"]

    report = programme.report(trainer)
    accepted = programme.accept(report, expert)
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    assessment = _assessment(programme, trainer)
    assert assessment["supported"] == "ready_for_recommendation"
    assert [m["code"] for m in assessment["missing"]] == ["NO_RECOMMENDATION"]

    assert programme.recommend(trainer, expert).status_code == 201
    assert programme.status(trainer) == "recommended"

    before = len(published(db))
    certified = programme.decide(trainer, "certify", None)

    assert certified.status_code == 200, certified.get_json()
    body = certified.get_json()
    today = wib.today()
    assert (body["status"], body["certified_on"]) == ("certified", today.isoformat())
    assert body["valid_until"] == rules.expires_on(today, rules.DEFAULT_MODULE_RULES).isoformat()
    assert hooks == [("certified", trainer, "M1", "certified", "admin-1")]
    [(kind, data)] = published(db, before)
    assert (kind, data["status"], data["previous_status"]) == (
        "module_status.changed", "certified", "recommended")
    evidence = programme.client.get(f"/trainers/{trainer}/modules/M1/evidence",
                                    headers=programme.as_trainer(trainer)).get_json()
    assert sorted(e["kind"] for e in evidence["items"]) == [
        "session_co", "session_lead", "tot_completed", "visit", "visit", "visit", "visit"]


def test_a_recommendation_before_the_evidence_is_refused_naming_what_is_missing(programme, db):
    expert = programme.expert(("M1",))
    trainer = programme.trainer()
    programme.tot(trainer)
    programme.session_completed((trainer, "co"))
    before = len(published(db))

    response = programme.recommend(trainer, expert)

    assert response.status_code == 409
    assert [m["code"] for m in response.get_json()["missing"]] == [
        "TOO_FEW_SESSIONS_LEAD", "TOO_FEW_SESSIONS_CO", "TOO_FEW_VISITS",
        "REPORT_NOT_ACCEPTED"]
    assert "consultancy visits" in response.get_json()["detail"]
    assert published(db, before) == []
    assert programme.status(trainer) == "in_supervised_delivery"


def test_certification_without_eligibility_is_refused_naming_what_is_missing(programme, hooks):
    expert = programme.expert(("M1",))
    trainer = programme.trainer()
    programme.ready(trainer, expert)

    response = programme.decide(trainer, "certify", None)

    assert response.status_code == 409
    assert [m["code"] for m in response.get_json()["missing"]] == ["NO_RECOMMENDATION"]
    assert hooks == []


def test_a_decline_keeps_the_trainer_in_delivery_with_the_reason(programme, db):
    expert = programme.expert(("M1",))
    trainer = programme.trainer()
    programme.ready(trainer, expert)
    before = len(published(db))

    response = programme.recommend(trainer, expert, "decline")

    assert response.status_code == 201
    kinds = [(name, data.get("decision") or data.get("status")) for name, data in
             published(db, before)]
    assert kinds == [("module_status.changed", "in_supervised_delivery"),
                     ("recommendation.given", "decline")]
    assessment = _assessment(programme, trainer)
    assert (assessment["status"], assessment["status_reason"]) == (
        "in_supervised_delivery", "Confident facilitator.")
    assert [m["code"] for m in assessment["missing"]] == ["RECOMMENDATION_DECLINED"]


def test_a_decline_after_a_recommendation_sends_the_trainer_back_to_delivery(programme):
    expert = programme.expert(("M1",))
    trainer = programme.trainer()
    programme.ready(trainer, expert)
    programme.recommend(trainer, expert)

    assert programme.recommend(trainer, expert, "decline").status_code == 201
    assert programme.status(trainer) == "in_supervised_delivery"


def test_an_expert_never_recommends_themselves(programme):
    expert = programme.expert(("M1",))

    response = programme.recommend(expert, expert)

    assert response.status_code == 403


def test_a_rejected_report_can_be_reviewed_only_once(programme):
    expert = programme.expert(("M1",))
    trainer = programme.trainer()
    report = programme.report(trainer)
    rejected = programme.client.post(f"/reports/{report}/reject",
                                     json={"comments": "Too thin."},
                                     headers=programme.as_trainer(expert))
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"

    again = programme.accept(report, expert)

    assert again.status_code == 409
    codes = [m["code"] for m in _assessment(programme, trainer)["missing"]]
    assert "REPORT_NOT_ACCEPTED" in codes


def test_the_same_tot_recorded_twice_is_a_conflict(programme):
    trainer = programme.trainer()
    assert programme.tot(trainer, reference="TOT-2026-01").status_code == 201

    again = programme.tot(trainer, reference="TOT-2026-01")

    assert again.status_code == 409
    assert again.get_json()["errors"] == {"reference": ["already recorded"]}


def test_a_redelivered_event_counts_once(programme):
    trainer = programme.trainer()
    programme.tot(trainer)
    payload = programme.visit(trainer)

    # A replay is a new envelope with the same visit: the evidence's source dedupes it.
    outcome = programme.deliver("score.enrolment", enrolment_events.VISIT_RECORDED,
                                payload["visit_id"], payload)

    assert outcome == "applied"
    evidence = programme.client.get(f"/trainers/{trainer}/modules/M1/evidence?kind=visit",
                                    headers=programme.admin()).get_json()
    assert len(evidence["items"]) == 1


def test_suspend_reinstate_revoke_with_reasons_and_the_credential_hook(programme, hooks, db):
    expert = programme.expert(("M1",))
    trainer = programme.trainer()
    programme.certified(trainer, expert)

    suspended = programme.decide(trainer, "suspend", "complaint under review")
    assert (suspended.get_json()["status"], suspended.get_json()["status_reason"],
            suspended.get_json()["suspended"]) == ("suspended", "complaint under review", True)
    reinstated = programme.decide(trainer, "reinstate", "complaint dismissed")
    assert (reinstated.get_json()["status"], reinstated.get_json()["suspended"]) == (
        "certified", False)
    before = len(published(db))
    revoked = programme.decide(trainer, "revoke", "falsified attendance")

    assert revoked.get_json()["status"] == "revoked"
    assert hooks[-1] == ("revoked", trainer, "M1", "revoked", "falsified attendance")
    [(_, data)] = published(db, before)
    assert (data["previous_status"], data["reason"]) == ("certified", "falsified attendance")
    assert programme.decide(trainer, "recertify", "second chance").status_code == 409


def test_a_reinstatement_after_the_validity_ended_expires_at_once(programme, clock):
    expert = programme.expert(("M1",))
    trainer = programme.trainer()
    programme.certified(trainer, expert)
    programme.decide(trainer, "suspend", "audit")
    clock.move_to(wib.today() + dt.timedelta(days=366 * 3 + 1))

    response = programme.decide(trainer, "reinstate", "audit closed")

    assert response.get_json()["status"] == "expired"


def test_recertification_waits_for_its_window(programme, clock, hooks):
    expert = programme.expert(("M1",))
    trainer = programme.trainer()
    programme.certified(trainer, expert)

    early = programme.decide(trainer, "recertify", None)
    assert early.status_code == 409
    assert "window opens" in early.get_json()["detail"]

    clock.move_to(wib.today() + dt.timedelta(days=365 * 3 - 30))
    renewed = programme.decide(trainer, "recertify", None)

    assert renewed.status_code == 200, renewed.get_json()
    assert renewed.get_json()["certified_on"] == wib.today().isoformat()
    assert [call[0] for call in hooks] == ["certified", "certified"]


def test_a_withdrawn_trainer_reports_nothing_more(programme):
    trainer = programme.trainer()
    assert programme.decide(trainer, "withdraw", "left the programme").status_code == 200

    response = programme.client.post(
        f"/trainers/{trainer}/modules/M1/reports",
        json={"title": "Late report", "body": "Written after leaving."},
        headers=programme.as_trainer(trainer))

    assert response.status_code == 409


def test_the_expiry_job_expires_certifications_whose_validity_ended_and_says_so(
        programme, db, clock):
    expert = programme.expert()
    trainer = programme.trainer()
    programme.certified(trainer, expert)
    assert expiry.expire_due(db) == 0  # valid for years

    with db.reading() as session:
        ends = session.get(ModuleStatus, (trainer, "M1")).valid_until
    clock.move_to(ends)

    assert expiry.expire_due(db) == 1
    assert programme.status(trainer) == "expired"
    assert expiry.expire_due(db) == 0  # once
    (kind, data) = published(db)[-1]
    assert kind == "module_status.changed"
    assert (data["status"], data["previous_status"]) == ("expired", "certified")
