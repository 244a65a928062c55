"""Certification test fixtures: a migrated app per test and its client."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from services import certification
from services.certification.models import Base
from shared.events.tables import outbox
from tests.support.apps import migrated_sqlite


@pytest.fixture
def app(tmp_path, app_config):
    """The certification app on a fresh migrated SQLite database and a local bus."""
    url = migrated_sqlite(certification.runtime(), tmp_path)
    application = certification.create_app(app_config(database_url=url))
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
def programme(app, auth):
    """The other services' events and certification's users (tests.certification.builders)."""
    from tests.certification.builders import Programme

    return Programme(app, auth)


def published(db, after: int = 0) -> list[tuple[str, dict]]:
    """(type without ``score.certification.`` and ``.v1``, data) of each outbox row from the
    ``after``-th on, oldest first."""
    with db.reading() as session:
        payloads = session.scalars(select(outbox.c.payload).order_by(outbox.c.id)).all()
    found = []
    for raw in payloads[after:]:
        envelope = json.loads(raw)
        name = envelope["type"].removeprefix("score.certification.").removesuffix(".v1")
        found.append((name, envelope["data"]))
    return found


def written(db) -> dict[str, int]:
    """Rows in every table a write can touch (nothing written: the same counts)."""
    tables = [outbox, *Base.metadata.sorted_tables]
    with db.reading() as session:
        return {t.name: session.scalar(select(func.count()).select_from(t)) for t in tables}
