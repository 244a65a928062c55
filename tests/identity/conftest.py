"""Fixtures for identity: a migrated app on the fake clock, cheap argon2, and helpers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services import identity
from shared.auth import TokenVerifier
from shared.events import EventEnvelope
from shared.events.tables import outbox
from tests.support.apps import AUDIENCE, ISSUER, migrated_sqlite

PASSWORD = "correct horse battery"
# Cheapest argon2 parameters, so that each hash costs microseconds in tests.
FAST_HASHING = {"password_hash_time_cost": 1, "password_hash_memory_cost": 8,
                "password_hash_parallelism": 1}


@pytest.fixture
def identity_config(tmp_path, app_config, signing_key, clock):
    """``identity_config(**overrides)`` → settings for an identity app on a migrated database.

    Identity signs with the session's test key, so the ``auth`` fixture's tokens
    are accepted by identity too. Every identity test runs on the fake ``clock``
    (throttling windows, token expiry).
    """
    url = migrated_sqlite(identity.runtime(), tmp_path)
    defaults = {"database_url": url, "signing_key": signing_key.to_pem(),
                **FAST_HASHING}
    return lambda **overrides: app_config(**{**defaults, **overrides})


@pytest.fixture
def make_app(identity_config):
    """``make_app(**overrides)`` → a new identity app (same database each time)."""
    return lambda **overrides: identity.create_app(identity_config(**overrides))


@pytest.fixture
def app(make_app):
    """An identity app with default test settings."""
    return make_app()


@pytest.fixture
def client(app):
    """A test client of ``app``."""
    return app.test_client()


@pytest.fixture
def verifier(client) -> TokenVerifier:
    """A verifier built the way other services build theirs: from identity's JWKS."""
    return TokenVerifier(ISSUER, AUDIENCE, jwks=client.get("/.well-known/jwks.json").json)


@pytest.fixture
def register(client):
    """``register(email, role=..., password=...)`` → the created user's JSON."""

    def _register(email="siti@example.id", role="sme_user", password=PASSWORD, name="Siti"):
        response = client.post("/users", json={"email": email, "name": name,
                                                "password": password, "intended_role": role})
        assert response.status_code == 201, response.json
        return response.json

    return _register


@pytest.fixture
def login(client):
    """``login(email, password=..., **params)`` → the token endpoint's response."""

    def _login(email="siti@example.id", password=PASSWORD, **params):
        return client.post("/oauth/token", data={"grant_type": "password", "username": email,
                                                 "password": password, **params})

    return _login


@pytest.fixture
def admin(auth):
    """Authorization headers of a platform admin."""
    return auth("platform_admin", "platform", "ilo", subject="admin-1")


@pytest.fixture
def grant(client, admin):
    """``grant(user_id, org_type, org_id, role)`` → the new membership's JSON."""

    def _grant(user_id, org_type="sme", org_id="sme-1", role="sme_user"):
        response = client.post(f"/users/{user_id}/memberships", headers=admin,
                               json={"org_type": org_type, "org_id": org_id, "role": role})
        assert response.status_code == 201, response.json
        return response.json

    return _grant


@pytest.fixture
def published(app):
    """``published()`` → the outbox's events as envelopes, oldest first."""

    def _published() -> list[EventEnvelope]:
        with app.extensions["score_db"].reading() as session:
            rows = session.execute(select(outbox.c.payload).order_by(outbox.c.id)).all()
        return [EventEnvelope.from_bytes(row.payload) for row in rows]

    return _published


@pytest.fixture
def count_rows(app):
    """``count_rows(Model_or_table)`` → how many rows it holds."""

    def _count(table) -> int:
        with app.extensions["score_db"].reading() as session:
            return session.scalar(select(func.count()).select_from(table))

    return _count
