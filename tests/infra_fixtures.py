"""pytest plugin (``-p tests.infra_fixtures``): real Kafka, PostgreSQL, stripe-mock, Chromium.

Session fixtures start their component lazily, on first use, once per session:
``kafka_bootstrap`` (``"127.0.0.1:PORT"``), ``postgres`` (a
:class:`tests.infra.postgres.PostgresServer`), ``stripe_mock_url``
(``"http://127.0.0.1:PORT"``) and ``chromium`` (a Playwright ``Browser`` driving
Debian's Chromium; ``browser_tools`` installs it, axe-core and Lighthouse).
``pg_database`` gives each test a fresh database URL and ``browser_page`` a fresh
browser context and page.

A component that cannot start fails the requesting tests when ``CI=true`` and skips
them otherwise (e.g. on a laptop without Java).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import pytest

from tests.infra import ComponentError
from tests.infra import asyncapi as asyncapi_infra
from tests.infra import browser as browser_infra
from tests.infra import kafka as kafka_infra
from tests.infra import postgres as postgres_infra
from tests.infra import stripe_mock as stripe_mock_infra
from tests.infra.kafka import KafkaBroker
from tests.infra.postgres import PostgresServer
from tests.infra.stripe_mock import StripeMock

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

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


@pytest.fixture(scope="session")
def browser_tools() -> Path:
    """Chromium, Node and the cached npm packages (axe-core, Lighthouse): their npm prefix."""
    return _start("Chromium", browser_infra.ensure_installed)


@pytest.fixture(scope="session")
def chromium(browser_tools: Path) -> Iterator[Browser]:
    """The session's headless Chromium (Debian's, driven by Playwright; no browser download)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    try:
        playwright = sync_playwright().start()
    except PlaywrightError as exc:
        unavailable(f"Playwright unavailable: {exc.message}")
    try:
        browser = playwright.chromium.launch(executable_path=browser_infra.chromium_path(),
                                             args=list(browser_infra.CHROMIUM_ARGS),
                                             headless=True)
    except (PlaywrightError, ComponentError) as exc:
        playwright.stop()
        unavailable(f"Chromium unavailable: {exc}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def browser_context_args() -> dict[str, Any]:
    """Options of ``browser_page``'s context (``Browser.new_context``); override to change.

    A test can also parametrize ``browser_page`` indirectly with a dict of options, e.g.
    ``@pytest.mark.parametrize("browser_page", [{"locale": "id-ID"}], indirect=True)``.
    """
    return {"locale": "en-US", "viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def browser_page(chromium: Browser, browser_context_args: dict[str, Any],
                 request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies, storage or cache), closed after."""
    context = chromium.new_context(**{**browser_context_args, **getattr(request, "param", {})})
    page = context.new_page()
    yield page
    context.close()
