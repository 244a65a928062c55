"""Sponsorship test fixtures: a migrated app per test, its client, and its market."""

from __future__ import annotations

import pytest

from services import sponsorship
from tests.support.apps import migrated_sqlite


@pytest.fixture
def app(tmp_path, app_config):
    """The sponsorship app on a fresh migrated SQLite database and a local bus."""
    url = migrated_sqlite(sponsorship.runtime(), tmp_path)
    application = sponsorship.create_app(app_config(database_url=url))
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
def market(app, auth):
    """The other services' events and sponsorship's users (tests.sponsorship.builders)."""
    from tests.sponsorship.builders import Market

    return Market(app, auth)
