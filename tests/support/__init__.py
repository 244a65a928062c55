"""Test helpers: apps, clocks, runtimes and the shape every service has."""

import pytest

# The shape checks assert in a helper module: show their values when they fail.
pytest.register_assert_rewrite("tests.support.shape")
