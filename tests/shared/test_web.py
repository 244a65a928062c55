"""The shared web layer through the pingpong test service: errors, auth, tenancy, health."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from shared.events.tables import outbox
from shared.tokens import SigningKey, access_claims
from tests.support import pingpong
from tests.support.apps import AUDIENCE, ISSUER, migrated_sqlite
from tests.support.pingpong.models import Ping


@pytest.fixture
def app(tmp_path, app_config):
    url = migrated_sqlite(pingpong.runtime(), tmp_path)
    return pingpong.create_app(app_config(database_url=url, max_content_length=4096))


@pytest.fixture
def client(app):
    return app.test_client()


def rows(app) -> tuple[int, int]:
    with app.extensions["score_db"].reading() as session:
        return (session.scalar(select(func.count()).select_from(Ping)),
                session.scalar(select(func.count()).select_from(outbox)))


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"]
    return body


def test_a_valid_request_writes_the_row_and_its_event(client, app, auth):
    response = client.post("/pings", json={"note": "hi"}, headers=auth("sme_user", "org-a"))
    assert response.status_code == 201
    assert rows(app) == (1, 1)


@pytest.mark.parametrize(("body", "fields"), [
    ({"note": 5}, {"note"}),
    ({"note": "hi", "unknown": 1}, {"unknown"}),
    ({}, {"note"}),
    ({"note": "x" * 201}, {"note"}),
    ([1, 2], {"_schema"}),
])
def test_invalid_bodies_get_422_with_field_errors_and_write_nothing(client, app, auth, body,
                                                                    fields):
    response = client.post("/pings", json=body, headers=auth("sme_user", "org-a"))
    assert set(assert_problem(response, 422)["errors"]) == fields
    assert rows(app) == (0, 0)


def test_malformed_json_gets_400(client, app, auth):
    response = client.post("/pings", data="{not json", content_type="application/json",
                           headers=auth("sme_user", "org-a"))
    assert_problem(response, 400)
    assert rows(app) == (0, 0)


def test_an_oversize_body_gets_413(client, app, auth):
    response = client.post("/pings", json={"note": "x" * 10_000},
                           headers=auth("sme_user", "org-a"))
    assert_problem(response, 413)
    assert rows(app) == (0, 0)


def other_key_token() -> str:
    claims = access_claims(issuer=ISSUER, audience=AUDIENCE, subject="u", role="sme_user",
                           org="org-a")
    return SigningKey.generate().sign(claims)


def expired_token(key: SigningKey) -> str:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    return key.sign(access_claims(issuer=ISSUER, audience=AUDIENCE, subject="u",
                                  role="sme_user", org="org-a", now=past))


def forged_token(key: SigningKey) -> str:
    header, payload, signature = key.sign(access_claims(
        issuer=ISSUER, audience=AUDIENCE, subject="u", role="sme_user", org="org-a")).split(".")
    import base64
    import json

    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "platform_admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize("make_header", [
    lambda key: {},
    lambda key: {"Authorization": "Basic dXNlcjpwdw=="},
    lambda key: {"Authorization": "Bearer not-a-jwt"},
    lambda key: {"Authorization": f"Bearer {expired_token(key)}"},
    lambda key: {"Authorization": f"Bearer {forged_token(key)}"},
    lambda key: {"Authorization": f"Bearer {other_key_token()}"},
], ids=["missing", "wrong-scheme", "garbage", "expired", "forged", "other-key"])
def test_missing_or_bad_tokens_get_401_and_write_nothing(client, app, signing_key, make_header):
    response = client.post("/pings", json={"note": "hi"}, headers=make_header(signing_key))
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert rows(app) == (0, 0)


def test_a_role_without_permission_gets_403(client, auth):
    assert_problem(client.post("/pings", json={"note": "hi"}, headers=auth("trainer", "t1")), 403)


def test_one_tenant_cannot_read_or_delete_another_tenants_rows(client, app, auth):
    own = client.post("/pings", json={"note": "a"}, headers=auth("sme_user", "org-a")).json
    foreign = auth("sme_user", "org-b")
    assert_problem(client.get(f"/pings/{own['id']}", headers=foreign), 404)
    assert_problem(client.delete(f"/pings/{own['id']}", headers=foreign), 404)
    assert client.get("/pings", headers=foreign).json == []
    assert rows(app)[0] == 1
    assert client.get(f"/pings/{own['id']}", headers=auth("sme_user", "org-a")).status_code == 200


def test_the_ilo_auditor_reads_everything_and_writes_nothing(client, app, auth):
    own = client.post("/pings", json={"note": "a"}, headers=auth("sme_user", "org-a")).json
    auditor = auth("ilo_auditor", "ilo", "ilo")
    assert client.get(f"/pings/{own['id']}", headers=auditor).status_code == 200
    assert len(client.get("/pings", headers=auditor).json) == 1
    assert_problem(client.delete(f"/pings/{own['id']}", headers=auditor), 403)
    assert_problem(client.post("/pings", json={"note": "b"}, headers=auditor), 403)
    assert rows(app)[0] == 1


def test_unknown_routes_and_methods_are_problems_too(client):
    assert_problem(client.get("/nowhere"), 404)
    assert_problem(client.put("/pings"), 405)


def test_request_ids_are_echoed_or_made_up(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers[
        "X-Request-ID"] == "abc-123"
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32


def test_health_readiness_metrics_and_openapi_are_served(client):
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/readyz").json["checks"] == {"database": "ok", "bus": "ok"}
    metrics = client.get("/metrics").get_data(as_text=True)
    assert "score_outbox_backlog" in metrics and "http_request_duration_seconds" in metrics
    spec = client.get("/openapi.json").json
    assert "/pings" in spec["paths"]


def test_readiness_fails_with_503_when_the_bus_is_unreachable(app, client):
    class DownBus:
        name = "down"

        def ping(self):
            raise ConnectionError("no broker")

    app.extensions["score_bus"] = DownBus()
    body = assert_problem(client.get("/readyz"), 503)
    assert body["checks"] == {"database": "ok", "bus": "unavailable: ConnectionError"}


def test_metrics_still_answer_and_readiness_says_503_when_kafka_is_unreachable(tmp_path,
                                                                              app_config):
    url = migrated_sqlite(pingpong.pongs_runtime(), tmp_path)
    from shared.web import create_service_app

    app = create_service_app(pingpong.pongs_runtime(), app_config(
        database_url=url, bus="kafka", kafka_bootstrap="127.0.0.1:1"))
    client = app.test_client()
    assert client.get("/metrics").status_code == 200
    assert assert_problem(client.get("/readyz"), 503)["checks"]["bus"].startswith("unavailable")


def test_flask_cookie_sessions_still_work_when_a_cookie_is_sent(app):
    from flask import session

    @app.get("/_session/<value>")
    def remember(value):
        previous = session.get("value")
        session["value"] = value
        return {"previous": previous}

    client = app.test_client()
    assert client.get("/_session/a").json == {"previous": None}
    assert client.get("/_session/b").json == {"previous": "a"}
    fresh = app.test_client()  # no cookie: an empty session, nothing set on the response
    assert fresh.get("/healthz").headers.get("Set-Cookie") is None
    assert fresh.get("/_session/c").json == {"previous": None}


def test_the_app_remembers_sync_functions_and_still_hands_async_ones_to_flask(app):
    """``ServiceFlask.ensure_sync`` skips Flask's per-request coroutine check for plain
    functions, and gives an async one the treatment Flask gives it."""

    def view():
        return "ok"

    async def async_view():  # pragma: no cover - never awaited
        return "ok"

    assert app.ensure_sync(view) is view and app.ensure_sync(view) is view

    class PerRequest:  # as a MethodView: a new instance, so a new bound method, per request
        def get(self):
            return "ok"

    remembered = len(app._sync_functions)
    methods = [PerRequest().get for _ in range(50)]
    assert all(app.ensure_sync(method) is method for method in methods)
    assert len(app._sync_functions) == remembered + 1, "per function, not per bound method"
    try:
        import asgiref  # noqa: F401
    except ImportError:
        with pytest.raises(RuntimeError, match="async"):
            app.ensure_sync(async_view)
    else:
        assert app.ensure_sync(async_view) is not async_view
