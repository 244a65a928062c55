"""Audit has the shape of every service (tests/support/shape.py)."""

from services import audit
from tests.support.shape import ServiceShape


class TestShape(ServiceShape):
    runtime = staticmethod(audit.runtime)
