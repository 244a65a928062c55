"""Portal has the shape of every service (tests/support/shape.py)."""

from services import portal
from tests.support.shape import ServiceShape


class TestShape(ServiceShape):
    runtime = staticmethod(portal.runtime)
