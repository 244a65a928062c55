"""Fixtures every test may use: a signing key, tokens, and per-test app settings."""

from __future__ import annotations

import pytest

from shared import clock as shared_clock
from shared.tokens import SigningKey
from tests.support.apps import base_config, bearer
from tests.support.clock import FakeClock

# The shape checks assert in a helper module: show their values when they fail.
pytest.register_assert_rewrite("tests.support.shape")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files holding a test marked ``slow`` first, each file's tests in their order.

    ``make test`` hands the integration tests to two workers a file at a time in this
    order (``--dist loadfile --no-loadscope-reorder``): a minute-long file started last
    would leave one worker idle that long at the end.
    """
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    """The key test tokens are signed with (published to apps as a static JWKS)."""
    return SigningKey.generate()


@pytest.fixture
def app_config(tmp_path, signing_key):
    """Builds settings for a test app; keyword arguments override."""
    return lambda **overrides: base_config(tmp_path, signing_key, **overrides)


@pytest.fixture
def auth(signing_key):
    """``auth(role, org)`` → an Authorization header for that principal."""
    return lambda role, org=None, org_type=None, **kw: bearer(signing_key, role, org, org_type,
                                                              **kw)


@pytest.fixture
def clock():
    """The process's clock for this test: a :class:`FakeClock` starting now."""
    with shared_clock.use(FakeClock()) as fake:
        yield fake
