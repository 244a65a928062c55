"""Every service found in services/ is tested for the shape all services share."""

from __future__ import annotations

import importlib

import pytest

from shared.runtime import ServiceRuntime, discover_runtimes
from tests.support.shape import ServiceShape


@pytest.mark.parametrize("runtime", discover_runtimes(), ids=lambda r: r.name)
def test_every_service_runs_the_shape_tests_on_itself(runtime: ServiceRuntime):
    module = importlib.import_module(f"tests.{runtime.name}.test_shape")
    shapes = [value for value in vars(module).values() if isinstance(value, type)
              and issubclass(value, ServiceShape) and value is not ServiceShape]

    assert [shape.__name__ for shape in shapes] == ["TestShape"], (
        f"tests/{runtime.name}/test_shape.py needs a TestShape(ServiceShape)")
    assert shapes[0].runtime().name == runtime.name
