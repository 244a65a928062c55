"""Certification has the shape of every service (tests/support/shape.py)."""

from services import certification
from tests.support.shape import ServiceShape


class TestShape(ServiceShape):
    runtime = staticmethod(certification.runtime)
