"""Every timestamp identity returns or publishes keeps its UTC offset, on both databases."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from services import identity
from shared.db import Database
from shared.events.tables import outbox
from tests.support.timestamps import timestamps, without_offset


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def backend_app(request, identity_config):
    """An identity app on SQLite or on real PostgreSQL."""
    if request.param == "sqlite":
        config = identity_config()
    else:
        url = request.getfixturevalue("pg_database")
        db = Database(url)
        db.migrate(identity.MIGRATIONS)
        db.dispose()
        config = identity_config(database_url=url)
    app = identity.create_app(config)
    yield app
    app.extensions["score_db"].dispose()


def test_timestamps_read_back_and_published_carry_their_offset(backend_app, admin, auth):
    client = backend_app.test_client()
    created = client.post("/users", json={"email": "siti@example.id", "name": "Siti",
                                          "password": "correct horse battery",
                                          "intended_role": "sme_user"}).json
    user_id = created["id"]
    client.post(f"/users/{user_id}/memberships", headers=admin,
                json={"org_type": "sme", "org_id": "sme-1", "role": "sme_user"})
    client.post("/clients", headers=admin, json={"name": "ILO feed", "role": "ilo_auditor"})

    read = {"user": client.get(f"/users/{user_id}", headers=admin).json,
            "users": client.get("/users", headers=admin).json,
            "memberships": client.get(f"/users/{user_id}/memberships", headers=admin).json,
            "clients": client.get("/clients", headers=admin).json,
            "me": client.get("/me", headers=auth("sme_user", "sme-1", "sme",
                                                  subject=user_id)).json}
    published = _outbox(backend_app)

    assert without_offset(read) == {}
    assert without_offset(published) == {}
    assert read["user"]["created_at"] == created["created_at"]
    assert {"memberships[0].granted_at", "clients[0].created_at",
            "me.memberships[0].granted_at"} <= set(timestamps(read))
    assert len(timestamps(published)) >= 4


def _outbox(app) -> list[dict]:
    with app.extensions["score_db"].reading() as session:
        return [json.loads(row) for row in session.scalars(select(outbox.c.payload))]
