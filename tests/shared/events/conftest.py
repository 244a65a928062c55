"""A bus per backend: every contract test runs on the local log and on real Kafka."""

from __future__ import annotations

import uuid

import pytest

from shared.db import Database
from shared.events.bus.kafka import KafkaBus
from shared.events.bus.local import LocalBus
from tests.support import pingpong
from tests.support.apps import migrated_sqlite


@pytest.fixture(params=["local", pytest.param("kafka", marks=pytest.mark.integration)])
def bus_factory(request, tmp_path):
    """Returns a function that opens a (new client of the same) bus: call it again to 'restart'."""
    if request.param == "local":
        path = tmp_path / "bus.db"
        return lambda: LocalBus(str(path))
    bootstrap = request.getfixturevalue("kafka_bootstrap")
    return lambda: KafkaBus(bootstrap, client_id="contract-test")


@pytest.fixture
def bus(bus_factory):
    """One open bus."""
    opened = bus_factory()
    yield opened
    opened.close()


@pytest.fixture
def topic() -> str:
    """A topic no other test uses."""
    return f"score.test{uuid.uuid4().hex[:10]}"


def _database(runtime, directory):
    database = Database(migrated_sqlite(runtime, directory))
    yield database
    database.dispose()


@pytest.fixture
def pings_db(tmp_path):
    """The publishing test service's database (SQLite, migrated)."""
    yield from _database(pingpong.runtime(), tmp_path)


@pytest.fixture
def pongs_db(tmp_path):
    """The consuming test service's database (SQLite, migrated)."""
    yield from _database(pingpong.pongs_runtime(), tmp_path)


@pytest.fixture
def local_bus(tmp_path) -> LocalBus:
    """A local bus in this test's directory."""
    return LocalBus(str(tmp_path / "bus.db"))
