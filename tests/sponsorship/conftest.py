"""Sponsorship test fixtures: a migrated app per test, its client, and its market."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from services import sponsorship
from services.sponsorship.models import Base
from shared.events.tables import outbox
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


def published(db, after: int = 0) -> list[tuple[str, dict]]:
    """(type without the ``score.sponsorship.`` prefix and ``.v1``, data) of each outbox
    row from the ``after``-th on, oldest first."""
    with db.reading() as session:
        payloads = session.scalars(select(outbox.c.payload).order_by(outbox.c.id)).all()
    found = []
    for raw in payloads[after:]:
        envelope = json.loads(raw)
        name = envelope["type"].removeprefix("score.sponsorship.").removesuffix(".v1")
        found.append((name, envelope["data"]))
    return found


def written(db) -> dict[str, int]:
    """Rows in every table a write can touch (nothing written: the same counts)."""
    tables = [outbox, *Base.metadata.sorted_tables]
    with db.reading() as session:
        return {t.name: session.scalar(select(func.count()).select_from(t)) for t in tables}
