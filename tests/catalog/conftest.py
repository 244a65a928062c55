"""Catalog test fixtures: a migrated app per test, a client, tokens and a data builder."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services import catalog
from shared.events.tables import outbox
from tests.catalog.builders import Builder
from tests.support.apps import migrated_sqlite


@pytest.fixture
def app(tmp_path, app_config):
    """The catalog app on a fresh migrated SQLite database and a local bus."""
    url = migrated_sqlite(catalog.runtime(), tmp_path)
    application = catalog.create_app(app_config(database_url=url))
    yield application
    application.extensions["score_db"].dispose()


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def db(app):
    """The app's database."""
    return app.extensions["score_db"]


@pytest.fixture
def build(db):
    """Creates providers, courses and sessions through the use cases."""
    return Builder(db)


@pytest.fixture
def staff(auth):
    """``staff(provider_id)`` → headers of that provider's staff."""
    return lambda provider_id, subject="staff-1": auth(
        "provider_staff", provider_id, "provider", subject=subject)


@pytest.fixture
def admin(auth):
    """Headers of a platform admin."""
    return auth("platform_admin", subject="admin-1")


@pytest.fixture
def auditor(auth):
    """Headers of the ILO auditor."""
    return auth("ilo_auditor", subject="auditor-1")


def count_rows(db, table) -> int:
    """Rows in ``table`` (a Table or a model)."""
    table = getattr(table, "__table__", table)
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(table))


def outbox_types(db) -> list[str]:
    """Types of the outbox rows, oldest first."""
    with db.reading() as session:
        return list(session.scalars(select(outbox.c.type).order_by(outbox.c.id)))


def assert_problem(response, status: int, *fields: str) -> dict:
    """``response`` is a problem+json with ``status`` naming each of ``fields``."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    for field in fields:
        assert field in body.get("errors", {}), body
    return body
