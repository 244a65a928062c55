"""Enrolment test fixtures: a migrated app per test and its client."""

from __future__ import annotations

import pytest

from services import enrolment
from tests.support.apps import migrated_sqlite


@pytest.fixture
def app(tmp_path, app_config):
    """The enrolment app on a fresh migrated SQLite database and a local bus."""
    url = migrated_sqlite(enrolment.runtime(), tmp_path)
    application = enrolment.create_app(app_config(database_url=url))
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
def policy(app):
    """The app's enrolment policy."""
    return app.extensions["enrolment_policy"]


@pytest.fixture
def catalog(app):
    """Catalog's side: publishes session events that enrolment's consumer applies."""
    from tests.enrolment.builders import Catalog

    return Catalog(app)
