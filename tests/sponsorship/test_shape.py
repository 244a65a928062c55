"""Sponsorship has the shape of every service (tests/support/shape.py)."""

from services import sponsorship
from tests.support.shape import ServiceShape


class TestShape(ServiceShape):
    runtime = staticmethod(sponsorship.runtime)
