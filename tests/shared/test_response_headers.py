"""Headers every service sends, and a /metrics page no caller can inflate."""

from __future__ import annotations

import pytest

from tests.support import pingpong
from tests.support.apps import migrated_sqlite

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


@pytest.fixture
def client(tmp_path, app_config):
    url = migrated_sqlite(pingpong.runtime(), tmp_path)
    return pingpong.create_app(app_config(database_url=url)).test_client()


@pytest.mark.parametrize("call", [
    lambda c, h: c.get("/healthz"),
    lambda c, h: c.get("/pings", headers=h),
    lambda c, h: c.post("/pings", json={"note": "hi"}, headers=h),
    lambda c, h: c.post("/pings", data="x", content_type="text/plain", headers=h),
    lambda c, h: c.get("/nowhere"),
    lambda c, h: c.put("/pings"),
    lambda c, h: c.get("/metrics"),
    lambda c, h: c.get("/openapi.json"),
], ids=["health", "list", "create", "415", "404", "405", "metrics", "openapi"])
def test_every_response_forbids_sniffing_and_varies_by_authorization(client, auth, call):
    response = call(client, auth("sme_user", "org-a"))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Authorization" in response.vary


@pytest.mark.parametrize("call", [
    lambda c, h: c.get("/pings", headers=h),
    lambda c, h: c.post("/pings", json={"note": "hi"}, headers=h),
    lambda c, h: c.get("/pings/12345", headers=h),
    lambda c, h: c.get("/healthz", headers=h),
], ids=["list", "create", "404", "public"])
def test_a_response_to_a_request_with_a_token_is_never_stored(client, auth, call):
    response = call(client, auth("sme_user", "org-a"))
    assert response.headers["Cache-Control"] == "no-store"


def test_a_rejected_token_is_not_stored_either(client):
    response = client.get("/pings", headers={"Authorization": "Bearer forged"})
    assert response.status_code == 401
    assert response.headers["Cache-Control"] == "no-store"


def test_an_anonymous_response_may_be_cached(client):
    assert "no-store" not in client.get("/healthz").headers.get("Cache-Control", "")


def test_a_405_says_which_methods_are_allowed(client):
    response = client.put("/pings")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert "PUT" not in response.headers["Allow"]


def test_metrics_have_exactly_the_prometheus_text_content_type(client):
    assert client.get("/metrics").headers["Content-Type"] == PROMETHEUS_TEXT


def series(client) -> list[str]:
    text = client.get("/metrics").get_data(as_text=True)
    return [line for line in text.splitlines() if line.startswith("http_request_duration")]


def test_made_up_methods_and_urls_mint_no_new_series(client):
    client.get("/healthz")
    client.open("/healthz", method="BREW")
    client.get("/nowhere/1")
    series(client)  # the scrape itself is a series too
    before = series(client)

    for n in range(20):
        client.open("/healthz", method=f"BREW{n}")
        client.get(f"/nowhere/{n}")

    after = series(client)
    assert len(after) == len(before)
    assert not any("BREW" in line or "nowhere" in line for line in after)
    assert any('method="other"' in line for line in after)
    assert any('endpoint="-"' in line and 'status="404"' in line for line in after)
