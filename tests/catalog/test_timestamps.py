"""Every timestamp the catalog returns keeps its UTC offset once read back, on both databases."""

from __future__ import annotations

import pytest

from services import catalog
from tests.catalog.builders import Builder, course_body, provider_body, session_body
from tests.support.apps import migrated_sqlite
from tests.support.timestamps import timestamps, without_offset


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def backend_client(request, tmp_path, app_config):
    """A catalog client on SQLite or on real PostgreSQL."""
    if request.param == "sqlite":
        config = app_config(database_url=migrated_sqlite(catalog.runtime(), tmp_path))
    else:
        config = app_config(database_url=request.getfixturevalue("pg_database"),
                            auto_migrate=True)
    app = catalog.create_app(config)
    Builder(app.extensions["score_db"]).trainer("trainer-1", "trainer-2")
    yield app.test_client()
    app.extensions["score_db"].dispose()


def test_timestamps_read_back_carry_the_offset_of_the_create_response(backend_client, auth):
    client, admin = backend_client, auth("platform_admin", subject="admin-1")
    created = client.post("/providers", json=provider_body(),
                          headers=auth("provider_staff", subject="new-staff")).json
    provider_id = created["id"]
    staff = auth("provider_staff", provider_id, "provider", subject="new-staff")
    client.post(f"/providers/{provider_id}/approve", json={}, headers=admin)
    course = client.post(f"/providers/{provider_id}/courses", json=course_body(),
                         headers=staff).json
    client.post(f"/courses/{course['id']}/publish", headers=staff)
    session = client.post(f"/providers/{provider_id}/sessions",
                          json=session_body(course["id"]), headers=staff).json
    client.post(f"/sessions/{session['id']}/publish", headers=staff)

    read = {"provider": client.get(f"/providers/{provider_id}").json,
            "providers": client.get("/providers").json,
            "course": client.get(f"/courses/{course['id']}").json,
            "session": client.get(f"/sessions/{session['id']}").json}

    assert without_offset(read) == {}
    assert read["provider"]["created_at"] == created["created_at"]
    assert read["course"]["created_at"] == course["created_at"]
    assert read["session"]["created_at"] == session["created_at"]
    assert {"provider.approved_at", "course.published_at",
            "session.published_at"} <= set(timestamps(read))
    assert created["created_at"].endswith("+00:00")
