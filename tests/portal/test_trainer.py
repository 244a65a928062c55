"""The trainer's pages: progress per module with what is missing, reports, credentials,
and an expert trainer's recommendations – against faked services."""

from __future__ import annotations

import json

import pytest

from tests.portal.conftest import csrf_of

ME = "user-1"
MODULES = {"items": [{"code": "M1", "name_en": "Workplace Cooperation",
                      "name_id": "Kerja Sama di Tempat Kerja"},
                     {"code": "M2", "name_en": "Quality Management", "name_id": "Mutu"}]}
PROVINCES = {"items": [{"bps_code": "32", "name": "Jawa Barat"},
                       {"bps_code": "33", "name": "Jawa Tengah"}]}


def trainer(**overrides) -> dict:
    return {"id": ME, "full_name": "Siti Rahma", "gender": "female", "province_code": "32",
            "organisation": "Universitas Parahyangan", "provider_id": None,
            "modules_of_interest": ["M1", "M2"], "expert_modules": [],
            "modules": [{"module_code": "M1", "status": "in_supervised_delivery",
                         "status_reason": None, "certified_on": None, "valid_until": None},
                        {"module_code": "M2", "status": "certified", "status_reason": None,
                         "certified_on": "2026-03-01", "valid_until": "2029-03-01"}],
            **overrides}


def assessment(*missing: dict, supported: str = "in_supervised_delivery") -> dict:
    return {"trainer_id": ME, "module_code": "M1", "status": "in_supervised_delivery",
            "supported": supported, "missing": list(missing), "rules_version": "rules-1",
            "evaluated_on": "2026-11-30"}


CO = {"code": "TOO_FEW_SESSIONS_CO", "detail": "2 sessions delivered; the rules ask at least 3",
      "have": 2, "need": 3}
REPORT = {"code": "REPORT_NOT_ACCEPTED", "detail": "no progress report uploaded",
          "have": False, "need": True}
NO_RECOMMENDATION = {"code": "NO_RECOMMENDATION", "detail": "none", "have": None,
                     "need": "recommend"}


@pytest.fixture
def as_trainer(client, sign_in, services):
    services.answer("catalog", "GET", "/modules", MODULES)
    services.answer("catalog", "GET", "/provinces", PROVINCES)
    sign_in("trainer", None, subject=ME)
    client.set_cookie("score_lang", "en")
    return services


def test_the_progress_page_says_what_is_done_and_what_is_missing(client, as_trainer):
    as_trainer.answer("certification", "GET", f"/trainers/{ME}", trainer())
    as_trainer.answer("certification", "GET", f"/trainers/{ME}/modules/M1/assessment",
                      assessment(CO, REPORT, NO_RECOMMENDATION))
    as_trainer.answer("certification", "GET", f"/trainers/{ME}/modules/*/reports", [])

    page = client.get("/trainer/")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "2 of 3 co-delivered sessions" in text
    assert "No progress report has been accepted by an expert trainer yet." in text
    assert "Steps to certification done" in text and 'aria-valuetext="3 of 6"' in text
    assert "Training of Trainers attended" in text  # done: not among the missing
    assert "Certified on" in text and "Mar 1, 2026" in text
    # Only the module on its way is assessed; every call was the trainer's own record.
    assert [r.path for r in as_trainer.sent("certification", "GET", "*/assessment")] == [
        f"/trainers/{ME}/modules/M1/assessment"]
    assert all(r.path.startswith(f"/trainers/{ME}") for r in as_trainer.sent("certification"))
    # Indonesian unless English is chosen.
    client.delete_cookie("score_lang")
    text = client.get("/trainer/").get_data(as_text=True)
    assert '<html lang="id">' in text and "2 dari 3 sesi yang disampaikan bersama" in text


def test_without_a_profile_the_trainer_registers_one(client, as_trainer):
    as_trainer.refuse("certification", "GET", f"/trainers/{ME}", 404, "Not found")
    as_trainer.answer("catalog", "GET", "/providers",
                      {"items": [{"id": "p-1", "legal_name": "BEDO"}]})
    page = client.get("/trainer/")
    assert page.status_code == 200 and "Register my profile" in page.get_data(as_text=True)
    as_trainer.answer("certification", "POST", "/trainers", trainer(), 201)

    response = client.post("/trainer/", data={
        "csrf_token": csrf_of(page.data), "form_key": "k" * 16, "full_name": "Siti Rahma",
        "gender": "female", "province_code": "32", "organisation": "UNPAR",
        "provider_id": "p-1", "modules_of_interest.M1": "M1", "modules_of_interest.M2": "M2"})

    assert response.status_code == 303
    (sent,) = as_trainer.sent("certification", "POST", "/trainers")
    assert sent.body == {"full_name": "Siti Rahma", "gender": "female", "province_code": "32",
                         "organisation": "UNPAR", "provider_id": "p-1",
                         "modules_of_interest": ["M1", "M2"]}
    assert sent.headers["Idempotency-Key"] == "k" * 16
    assert sent.headers["Authorization"].startswith("Bearer ")
    # A refusal keeps what was typed.
    as_trainer.refuse("certification", "POST", "/trainers", 422, "Unprocessable Entity",
                      errors={"organisation": ["Shorter than minimum length 2."]},
                      slug="validation-failed")
    response = client.post("/trainer/", data={
        "csrf_token": csrf_of(page.data), "full_name": "Siti Rahma", "gender": "female",
        "province_code": "32", "organisation": "U", "modules_of_interest.M2": "M2"})

    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'value="Siti Rahma"' in text
    assert 'id="f-modules_of_interest-M2" name="modules_of_interest.M2" type="checkbox" ' \
           'value="M2" checked' in text


def test_a_progress_report_is_sent_and_a_refusal_shown_next_to_its_field(client, as_trainer):
    as_trainer.answer("certification", "GET", f"/trainers/{ME}", trainer())
    as_trainer.answer("certification", "GET", f"/trainers/{ME}/modules/M1/assessment",
                      assessment(REPORT))
    as_trainer.answer("certification", "GET", f"/trainers/{ME}/modules/*/reports", [])
    page = client.get("/trainer/")
    as_trainer.answer("certification", "POST", f"/trainers/{ME}/modules/M1/reports",
                      {"id": "r-1"}, 201)

    done = client.post("/trainer/modules/M1/reports", data={
        "csrf_token": csrf_of(page.data), "form_key": "r" * 16, "M1.title": "Laporan",
        "M1.body": "Two sessions co-delivered in Bandung."})

    assert done.status_code == 303
    (sent,) = as_trainer.sent("certification", "POST", f"/trainers/{ME}/modules/M1/reports")
    assert sent.body == {"title": "Laporan", "body": "Two sessions co-delivered in Bandung."}
    as_trainer.refuse("certification", "POST", f"/trainers/{ME}/modules/M1/reports", 422,
                      "Unprocessable Entity", errors={"body": [
                          "Length must be between 10 and 20000."]}, slug="validation-failed")
    refused = client.post("/trainer/modules/M1/reports", data={
        "csrf_token": csrf_of(page.data), "M1.title": "Laporan", "M1.body": "Short"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert 'id="M1-body-error"' in text and "between 10 and 20000 characters" in text
    assert 'value="Laporan"' in text


def test_credentials_download_as_jwt_and_json_and_share_the_verify_page(client, as_trainer):
    credential = {"id": "c0ffee00-0000-4000-8000-000000000001", "kind": "trainer",
                  "module_code": "M2", "subject_name": "Siti Rahma",
                  "valid_from": "2026-03-01", "valid_until": "2029-03-01",
                  "issued_at": "2026-03-01T03:00:00+00:00", "revoked": False,
                  "token": "eyJhbGciOiJFZERTQSJ9.eyJ4IjoxfQ.c2ln",
                  "credential": {"type": ["VerifiableCredential", "OpenBadgeCredential"]},
                  "verification": {"valid": True, "reasons": [], "details": []}}
    as_trainer.answer("certification", "GET", f"/trainers/{ME}/credentials", [credential])

    page = client.get("/trainer/credentials").get_data(as_text=True)

    assert f"/verify?credential={credential['id']}" in page
    assert credential["token"] in page and "Valid" in page
    jwt = client.get(f"/trainer/credentials/{credential['id']}.jwt")
    assert jwt.status_code == 200 and jwt.data.decode() == credential["token"]
    assert jwt.headers["Content-Disposition"] == \
        f'attachment; filename="score-M2-{credential["id"]}.jwt"'
    document = client.get(f"/trainer/credentials/{credential['id']}.json")
    assert document.mimetype == "application/json"
    assert json.loads(document.data) == credential["credential"]
    assert client.get("/trainer/credentials/someone-elses.jwt").status_code == 404


def test_a_trainer_who_is_no_expert_is_told_why_the_page_is_empty(client, as_trainer):
    as_trainer.answer("certification", "GET", f"/trainers/{ME}", trainer())

    page = client.get("/trainer/recommendations").get_data(as_text=True)

    assert "You are not an expert trainer of any module" in page
    assert not as_trainer.sent("certification", "GET", "/trainers")


def _expert_page(client, services, *missing):
    services.answer("certification", "GET", f"/trainers/{ME}", trainer(expert_modules=["M1"]))
    services.answer("certification", "GET", "/trainers", {"items": [
        trainer(id="mentee-1", full_name="Budi Santoso"), trainer()], "next_cursor": None})
    services.answer("certification", "GET", "/trainers/mentee-1/modules/M1/assessment",
                    assessment(*missing))
    services.answer("certification", "GET", "/trainers/mentee-1/modules/M1/reports", [
        {"id": "rep-1", "title": "Laporan Juli", "body": "Co-delivered in Garut.",
         "status": "submitted", "submitted_at": "2026-07-01T02:00:00+00:00",
         "review_comments": None}])
    return client.get("/trainer/recommendations")


def test_an_expert_recommends_a_ready_mentee_and_reviews_reports(client, as_trainer):
    page = _expert_page(client, as_trainer, NO_RECOMMENDATION)
    text = page.get_data(as_text=True)
    assert "Budi Santoso" in text and "Ready for your recommendation" in text
    (listed,) = as_trainer.sent("certification", "GET", "/trainers")
    assert listed.query == {"module": ["M1"], "status": ["in_supervised_delivery"],
                            "limit": ["100"]}
    assert text.count("Recommend for certification") == 1  # not the expert themselves
    path = "/trainers/mentee-1/modules/M1/recommendations"
    as_trainer.answer("certification", "POST", path, {}, 201)

    response = client.post("/trainer/recommendations/mentee-1/M1", data={
        "csrf_token": csrf_of(page.data), "form_key": "x" * 16, "decision": "recommend",
        "mentee-1-M1.comments": "Confident facilitator."})

    assert response.status_code == 303
    (sent,) = as_trainer.sent("certification", "POST", path)
    assert sent.body == {"decision": "recommend", "comments": "Confident facilitator."}
    assert sent.headers["Idempotency-Key"] == "x" * 16
    # The expert also reviews the mentee's progress reports.
    as_trainer.answer("certification", "POST", "/reports/rep-1/reject", {})

    response = client.post("/trainer/reports/rep-1", data={
        "csrf_token": csrf_of(page.data), "verdict": "reject",
        "report-rep-1.comments": "Add the visit notes."})

    assert response.status_code == 303
    (sent,) = as_trainer.sent("certification", "POST", "/reports/rep-1/reject")
    assert sent.body == {"comments": "Add the visit notes."}


def test_a_refused_recommendation_explains_the_missing_evidence(client, as_trainer):
    page = _expert_page(client, as_trainer, CO, NO_RECOMMENDATION)
    assert "Not ready yet" in page.get_data(as_text=True)
    path = "/trainers/mentee-1/modules/M1/recommendations"
    as_trainer.answer("certification", "POST", path, {
        "type": "https://score.example/problems/conflict", "title": "Conflict",
        "status": 409, "detail": "not ready", "missing": [CO]}, 409)

    response = client.post("/trainer/recommendations/mentee-1/M1", data={
        "csrf_token": csrf_of(page.data), "decision": "recommend",
        "mentee-1-M1.comments": "Ready, I think."})

    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "Not ready for a recommendation yet: 2 of 3 co-delivered sessions" in text
    assert "Ready, I think." in text


def test_only_trainers_open_the_trainer_pages(client, sign_in):
    sign_in("sme_user", "sme-1", "sme")
    for path in ("/trainer/", "/trainer/credentials", "/trainer/recommendations"):
        assert client.get(path).status_code == 403

