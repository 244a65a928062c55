"""A bus per backend: every contract test runs on the local log and on real Kafka."""

from __future__ import annotations

import uuid

import pytest

from shared.events.bus.kafka import KafkaBus
from shared.events.bus.local import LocalBus


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
