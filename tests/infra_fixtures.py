"""pytest plugin (``-p tests.infra_fixtures``): real Kafka, PostgreSQL and stripe-mock.

Session fixtures start their component lazily, on first use, once per session:
``kafka_bootstrap`` (``"127.0.0.1:PORT"``), ``postgres`` (a
:class:`tests.infra.postgres.PostgresServer`) and ``stripe_mock_url``
(``"http://127.0.0.1:PORT"``). ``pg_database`` gives each test a fresh database URL.

A component that cannot start fails the requesting tests when ``CI=true`` and skips
them otherwise (e.g. on a laptop without Java).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import NoReturn, TypeVar

import pytest

from tests.infra import ComponentError
from tests.infra import asyncapi as asyncapi_infra
from tests.infra import kafka as kafka_infra
from tests.infra import postgres as postgres_infra
from tests.infra import stripe_mock as stripe_mock_infra
from tests.infra.kafka import KafkaBroker
from tests.infra.postgres import PostgresServer
from tests.infra.stripe_mock import StripeMock

S = TypeVar("S")


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers used with these fixtures."""
    config.addinivalue_line(
        "markers", "integration: needs real PostgreSQL/Kafka/stripe-mock (started by tests.infra)"
    )
    config.addinivalue_line("markers", "e2e: end-to-end test across running services")


def unavailable(reason: str) -> NoReturn:
    """A component is missing: fail the test under ``CI=true``, skip it elsewhere."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def _start(name: str, starter: Callable[[], S]) -> S:
    """Start (or install) a component, or :func:`unavailable` with the reason."""
    try:
        return starter()
    except (ComponentError, OSError) as exc:
        unavailable(f"{name} unavailable: {exc}")


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[KafkaBroker]:
    """The session's single-node Kafka broker handle."""
    broker = _start("Kafka", kafka_infra.start)
    yield broker
    broker.stop()


@pytest.fixture
def private_kafka_broker() -> Iterator[KafkaBroker]:
    """A broker for this test alone, which it may ``halt()`` and ``resume()`` (outages)."""
    broker = _start("Kafka", kafka_infra.start)
    yield broker
    broker.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka_broker: KafkaBroker) -> str:
    """``bootstrap_servers`` of the session's Kafka broker, ``"127.0.0.1:PORT"``."""
    return kafka_broker.bootstrap


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server handle (``url()``, ``create_database()``...)."""
    server = _start("PostgreSQL", postgres_infra.start)
    yield server
    server.stop()


@pytest.fixture
def pg_database(postgres: PostgresServer) -> Iterator[str]:
    """A fresh, uniquely named database; yields its SQLAlchemy URL, drops it afterwards."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    url = postgres.create_database(name)
    yield url
    postgres.drop_database(name)


@pytest.fixture(scope="session")
def stripe_mock_server() -> Iterator[StripeMock]:
    """The session's stripe-mock handle."""
    mock = _start("stripe-mock", stripe_mock_infra.start)
    yield mock
    mock.stop()


@pytest.fixture(scope="session")
def stripe_mock_url(stripe_mock_server: StripeMock) -> str:
    """Base URL of the session's stripe-mock, ``"http://127.0.0.1:PORT"``."""
    return stripe_mock_server.url


@pytest.fixture(scope="session")
def asyncapi_schema() -> dict:
    """The official AsyncAPI 3.0.0 JSON Schema (npm ``@asyncapi/specs``, cached)."""
    import json

    return json.loads(_start("AsyncAPI schema", asyncapi_infra.ensure_installed).read_text())
