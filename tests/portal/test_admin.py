"""The platform admin's approvals: pending providers and sponsors, certification of
recommended trainers – against faked services."""

from __future__ import annotations

import pytest

from tests.portal.conftest import csrf_of

PROVIDER = {"id": "p-1", "legal_name": "PT Mitra Produktif", "npwp": "01.234.567.8-901.000",
            "contact_name": "Rina", "email": "rina@mitra.example", "phone": "+62 22 123456",
            "address": "Jl. Asia Afrika 1, Bandung", "provinces_served": ["32", "33"],
            "description": "Training since 2010.", "website": None, "status": "pending",
            "status_reason": None, "created_at": "2026-11-20T03:00:00+00:00"}
SPONSOR = {"id": "s-1", "name": "Nordic Partnership", "kind": "donor",
           "contact_name": "Ingrid", "contact_email": "grants@nordic.example",
           "contact_phone": "+62 21 555", "status": "pending", "status_reason": None,
           "created_at": "2026-11-21T03:00:00+00:00"}
RECOMMENDED = {"id": "t-1", "full_name": "Budi Santoso", "organisation": "UNPAR",
               "province_code": "32", "modules": [
                   {"module_code": "M1", "status": "recommended",
                    "status_reason": "Confident facilitator.",
                    "changed_at": "2026-11-25T03:00:00+00:00"},
                   {"module_code": "M2", "status": "candidate"}]}


@pytest.fixture
def as_admin(client, sign_in, services):
    services.answer("catalog", "GET", "/provinces", {"items": [
        {"bps_code": "32", "name": "Jawa Barat"}, {"bps_code": "33", "name": "Jawa Tengah"}]})
    services.answer("catalog", "GET", "/providers", {"items": [PROVIDER]})
    services.answer("sponsorship", "GET", "/sponsors", {"items": [SPONSOR],
                                                        "next_cursor": None})
    services.answer("certification", "GET", "/trainers", {"items": [RECOMMENDED],
                                                          "next_cursor": None})
    sign_in("platform_admin", None)
    client.set_cookie("score_lang", "en")
    return services


def test_the_queues_show_pending_providers_sponsors_and_recommended_trainers(client, as_admin):
    page = client.get("/admin/")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for shown in ("PT Mitra Produktif", "01.234.567.8-901.000", "Jawa Barat, Jawa Tengah",
                  "Nordic Partnership", "Donor", "Budi Santoso · M1", "Confident facilitator."):
        assert shown in text
    assert "Budi Santoso · M2" not in text
    assert as_admin.sent("catalog", "GET", "/providers")[0].query == {"status": ["pending"]}
    assert as_admin.sent("sponsorship", "GET", "/sponsors")[0].query["status"] == ["pending"]
    assert as_admin.sent("certification", "GET", "/trainers")[0].query["status"] == [
        "recommended"]
    assert text.count(">Approve</button>") == 2


def test_approving_a_provider_posts_with_the_csrf_token_and_redirects(client, as_admin):
    page = client.get("/admin/")
    as_admin.answer("catalog", "POST", "/providers/p-1/approve", {**PROVIDER,
                                                                  "status": "approved"})

    response = client.post("/admin/providers/p-1/approve", data={
        "csrf_token": csrf_of(page.data), "show": "pending", "name": "PT Mitra Produktif",
        "providers-p-1.reason": ""})

    assert response.status_code == 303 and response.headers["Location"] == \
        "/admin/?show=pending"
    (sent,) = as_admin.sent("catalog", "POST", "/providers/p-1/approve")
    assert sent.body == {"reason": None}
    assert sent.headers["Authorization"].startswith("Bearer ")
    assert "PT Mitra Produktif is approved." in client.get("/admin/").get_data(as_text=True)


def test_an_approval_without_the_csrf_token_sends_nothing(client, as_admin):
    response = client.post("/admin/sponsors/s-1/approve", data={"show": "pending"})

    assert response.status_code == 400
    assert not as_admin.sent("sponsorship", "POST")


def test_a_suspension_needs_a_reason_and_sends_it(client, as_admin):
    as_admin.answer("sponsorship", "GET", "/sponsors", {"items": [
        {**SPONSOR, "status": "approved"}], "next_cursor": None})
    page = client.get("/admin/?show=approved")
    assert "Reason for the suspension" in page.get_data(as_text=True)
    csrf = csrf_of(page.data)

    missing = client.post("/admin/sponsors/s-1/suspend", data={
        "csrf_token": csrf, "show": "approved", "sponsors-s-1.reason": " "})
    assert missing.status_code == 422
    assert "Give the reason for the suspension." in missing.get_data(as_text=True)
    as_admin.answer("sponsorship", "POST", "/sponsors/s-1/suspend", {})

    done = client.post("/admin/sponsors/s-1/suspend", data={
        "csrf_token": csrf, "show": "approved", "sponsors-s-1.reason": "Audit finding"})

    assert done.status_code == 303
    (sent,) = as_admin.sent("sponsorship", "POST", "/sponsors/s-1/suspend")
    assert sent.body == {"reason": "Audit finding"}


def test_a_refused_approval_is_said_on_its_form(client, as_admin):
    page = client.get("/admin/")
    as_admin.refuse("catalog", "POST", "/providers/p-1/approve", 409, "Invalid transition",
                    "provider is approved already", slug="invalid-transition")

    response = client.post("/admin/providers/p-1/approve", data={
        "csrf_token": csrf_of(page.data), "show": "pending", "providers-p-1.reason": "ok now"})

    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "This is not possible in its current state." in text
    assert 'value="ok now"' in text


def test_certifying_a_recommended_trainer(client, as_admin):
    page = client.get("/admin/")
    path = "/trainers/t-1/modules/M1/certify"
    as_admin.answer("certification", "POST", path, {"module_code": "M1",
                                                    "status": "certified"})

    response = client.post("/admin/trainers/t-1/M1/certify", data={
        "csrf_token": csrf_of(page.data), "name": "Budi Santoso",
        "certify-t-1-M1.reason": "Observed in Garut"})

    assert response.status_code == 303
    (sent,) = as_admin.sent("certification", "POST", path)
    assert sent.body == {"reason": "Observed in Garut"}
    as_admin.answer("certification", "POST", path, {
        "type": "https://score.example/problems/conflict", "title": "Conflict", "status": 409,
        "detail": "not eligible", "missing": [{"code": "TOO_FEW_VISITS", "have": 3,
                                               "need": 4, "detail": "3 visits"}]}, 409)
    refused = client.post("/admin/trainers/t-1/M1/certify", data={
        "csrf_token": csrf_of(page.data)})
    assert refused.status_code == 409
    assert "Not eligible for certification yet: 3 of 4 consultancy visits." in \
        refused.get_data(as_text=True)


def test_only_platform_admins_open_the_approvals(client, sign_in):
    sign_in("ilo_auditor", None)
    assert client.get("/admin/").status_code == 403
