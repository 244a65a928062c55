"""A provider-staff account registers one provider, even before its membership arrives,
and even when it sends several registrations at once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from services import catalog
from services.catalog import reference
from services.catalog.models import Provider
from tests.catalog.builders import provider_body
from tests.catalog.conftest import assert_problem, count_rows, outbox_types


def test_a_second_and_third_registration_by_the_same_account_are_conflicts(client, db, auth):
    newcomer = auth("provider_staff", subject="newcomer-1")
    first = client.post("/providers", json=provider_body(), headers=newcomer)
    assert first.status_code == 201

    for _ in range(2):
        body = assert_problem(client.post("/providers", json=provider_body(), headers=newcomer),
                              409)
        assert first.json["id"] in body["detail"]

    assert count_rows(db, Provider) == 1
    assert outbox_types(db) == ["score.catalog.provider.registered.v1"]


def test_another_account_still_registers_its_own(client, db, auth):
    client.post("/providers", json=provider_body(), headers=auth("provider_staff", subject="a"))
    response = client.post("/providers", json=provider_body(),
                           headers=auth("provider_staff", subject="b"))
    assert response.status_code == 201
    assert count_rows(db, Provider) == 2


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def any_db_app(request, app, app_config):
    """The catalog app on SQLite (the ``app`` fixture) or on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield app
        return
    pg_app = catalog.create_app(app_config(database_url=request.getfixturevalue("pg_database"),
                                           auto_migrate=True))
    yield pg_app
    pg_app.extensions["score_db"].dispose()


def test_registrations_sent_at_once_by_one_account_yield_one_provider(any_db_app, auth,
                                                                      monkeypatch):
    # Slow each registration down between its check and its insert, so that the
    # whole burst is inside that window at once.
    look_up = reference.require_provinces

    def slow_look_up(*args, **kwargs):
        time.sleep(0.2)
        return look_up(*args, **kwargs)

    monkeypatch.setattr(reference, "require_provinces", slow_look_up)
    newcomer = auth("provider_staff", subject="newcomer-2")
    start = threading.Barrier(6)

    def register(_n: int) -> int:
        client = any_db_app.test_client()
        start.wait()
        return client.post("/providers", json=provider_body(), headers=newcomer).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = sorted(pool.map(register, range(6)))

    assert statuses == [201, 409, 409, 409, 409, 409]
    assert count_rows(any_db_app.extensions["score_db"], Provider) == 1
