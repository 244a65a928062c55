"""Idempotency-Key on creating POSTs, through the pingpong test service (SQLite and PostgreSQL)."""

from __future__ import annotations

import concurrent.futures
import datetime as dt

import pytest
from sqlalchemy import func, select, update

from shared.events.tables import idempotency_keys, outbox
from tests.support import pingpong
from tests.support.apps import migrated_sqlite
from tests.support.pingpong.models import Ping


@pytest.fixture
def app(tmp_path, app_config):
    url = migrated_sqlite(pingpong.runtime(), tmp_path)
    return pingpong.create_app(app_config(database_url=url))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def headers(auth):
    return lambda key, org="org-a", **kw: {**auth("sme_user", org, **kw), "Idempotency-Key": key}


def created(app) -> tuple[int, int]:
    with app.extensions["score_db"].reading() as session:
        return (session.scalar(select(func.count()).select_from(Ping)),
                session.scalar(select(func.count()).select_from(outbox)))


def test_a_retry_with_the_same_key_and_body_returns_the_first_response(client, app, headers):
    first = client.post("/pings", json={"note": "hi"}, headers=headers("k-1"))
    again = client.post("/pings", json={"note": "hi"}, headers=headers("k-1"))
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert created(app) == (1, 1)


def test_the_same_key_with_another_body_is_a_422(client, app, headers):
    client.post("/pings", json={"note": "hi"}, headers=headers("k-1"))
    response = client.post("/pings", json={"note": "other"}, headers=headers("k-1"))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "Idempotency-Key" in response.get_json()["errors"]
    assert created(app) == (1, 1)


def test_keys_are_scoped_to_the_caller(client, app, headers):
    client.post("/pings", json={"note": "hi"}, headers=headers("k-1", subject="alice"))
    other = client.post("/pings", json={"note": "hi"}, headers=headers("k-1", subject="bob"))
    assert other.status_code == 201 and "Idempotent-Replayed" not in other.headers
    assert created(app) == (2, 2)


def test_requests_without_a_key_are_not_deduplicated(client, app, auth):
    for _ in range(2):
        assert client.post("/pings", json={"note": "hi"},
                           headers=auth("sme_user", "org-a")).status_code == 201
    assert created(app) == (2, 2)


def test_a_failed_request_stores_nothing_so_a_corrected_retry_runs(client, app, headers):
    bad = client.post("/pings", json={"note": ""}, headers=headers("k-1"))
    assert bad.status_code == 422
    good = client.post("/pings", json={"note": ""}, headers=headers("k-1"))
    assert good.status_code == 422  # still invalid, and still not replayed
    assert "Idempotent-Replayed" not in good.headers
    assert created(app) == (0, 0)


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve", "tab\tkey"])
def test_a_malformed_key_is_a_400(client, app, headers, key):
    response = client.post("/pings", json={"note": "hi"}, headers=headers(key))
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert created(app) == (0, 0)


def test_a_key_whose_effect_committed_but_whose_response_was_lost_is_a_409(client, app, headers):
    client.post("/pings", json={"note": "hi"}, headers=headers("k-1"))
    with app.extensions["score_db"].transaction() as session:  # as if we crashed before storing
        session.execute(update(idempotency_keys).values(state="committed"))
    response = client.post("/pings", json={"note": "hi"}, headers=headers("k-1"))
    assert response.status_code == 409
    assert created(app) == (1, 1)


def test_an_abandoned_pending_key_may_run_again(client, app, headers):
    old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    with app.extensions["score_db"].transaction() as session:  # a process died mid-request
        session.execute(idempotency_keys.insert().values(
            scope="user-1", key="k-1", fingerprint="f", state="pending", created_at=old))
    response = client.post("/pings", json={"note": "hi"}, headers=headers("k-1"))
    assert response.status_code == 201
    assert created(app) == (1, 1)


def test_expired_keys_are_forgotten(client, app, headers):
    client.post("/pings", json={"note": "hi"}, headers=headers("k-1"))
    with app.extensions["score_db"].transaction() as session:
        session.execute(update(idempotency_keys).values(
            created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)))
    response = client.post("/pings", json={"note": "hi"}, headers=headers("k-1"))
    assert "Idempotent-Replayed" not in response.headers
    assert created(app) == (2, 2)


def test_the_header_is_documented_on_creating_operations(client):
    operation = client.get("/openapi.json").get_json()["paths"]["/pings"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header"
               for p in operation["parameters"])


@pytest.mark.integration
def test_concurrent_retries_on_postgresql_create_once(pg_database, app_config, headers):
    app = pingpong.create_app(app_config(database_url=pg_database, auto_migrate=True))

    def post(_):
        with app.test_client() as client:
            return client.post("/pings", json={"note": "hi"}, headers=headers("k-race"))

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = sorted(r.status_code for r in pool.map(post, range(16)))
    assert created(app) == (1, 1)
    assert set(statuses) <= {201, 409} and 201 in statuses
    app.extensions["score_db"].dispose()
