"""Audit test fixtures: a migrated app per test and its client."""

from __future__ import annotations

import pytest

from services import audit
from tests.support.apps import migrated_sqlite


@pytest.fixture
def app(tmp_path, app_config):
    """The audit app on a fresh migrated SQLite database and a local bus."""
    url = migrated_sqlite(audit.runtime(), tmp_path)
    application = audit.create_app(app_config(database_url=url))
    yield application
    application.extensions["score_db"].dispose()


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def audit_db(app):
    """The app's database, for use cases and direct checks."""
    return app.extensions["score_db"]
