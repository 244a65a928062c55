"""The identity flows that depend on the database engine, on real PostgreSQL."""

import pytest
from sqlalchemy import func, select

from services import identity
from services.identity.models import Membership, RefreshToken
from shared.db import Database
from tests.identity.conftest import PASSWORD

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_client(pg_database, identity_config):
    """A test client of identity on a freshly migrated PostgreSQL database."""
    url = pg_database
    db = Database(url)
    db.migrate(identity.MIGRATIONS)
    db.dispose()
    app = identity.create_app(identity_config(database_url=url))
    yield app.test_client()
    app.extensions["score_db"].dispose()


def _register(client, email="siti@example.id"):
    return client.post("/users", json={"email": email, "name": "Siti", "password": PASSWORD,
                                       "intended_role": "sme_user"})


def _token(client, **params):
    return client.post("/oauth/token", data=params)


def test_a_full_sign_in_life_cycle_works_on_postgresql(pg_client, admin):
    user = _register(pg_client).json
    membership = pg_client.post(f"/users/{user['id']}/memberships", headers=admin,
                                json={"org_type": "sme", "org_id": "sme-1",
                                      "role": "sme_user"}).json
    first = _token(pg_client, grant_type="password", username="siti@example.id",
                   password=PASSWORD).json["refresh_token"]
    second = _token(pg_client, grant_type="refresh_token", refresh_token=first)

    assert second.status_code == 200
    assert _token(pg_client, grant_type="refresh_token", refresh_token=first).status_code == 400
    assert _token(pg_client, grant_type="refresh_token",
                  refresh_token=second.json["refresh_token"]).status_code == 400
    assert pg_client.delete(f"/memberships/{membership['id']}", headers=admin).status_code == 204


def test_duplicates_are_refused_by_postgresql_too(pg_client, admin):
    user = _register(pg_client).json
    grant = {"org_type": "sme", "org_id": "sme-1", "role": "sme_user"}
    pg_client.post(f"/users/{user['id']}/memberships", headers=admin, json=grant)

    assert _register(pg_client, "SITI@example.id").status_code == 409
    assert pg_client.post(f"/users/{user['id']}/memberships", headers=admin,
                          json=grant).status_code == 409


def test_throttling_works_on_postgresql_and_a_throttled_login_issues_nothing(pg_client):
    _register(pg_client)
    for _ in range(5):
        _token(pg_client, grant_type="password", username="siti@example.id", password="wrong!")

    response = _token(pg_client, grant_type="password", username="siti@example.id",
                      password=PASSWORD)

    assert response.status_code == 429
    db = pg_client.application.extensions["score_db"]
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(RefreshToken)) == 0
        assert session.scalar(select(func.count()).select_from(Membership)) == 0
