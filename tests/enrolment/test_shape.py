"""Enrolment has the shape of every service (tests/support/shape.py)."""

from services import enrolment
from tests.support.shape import ServiceShape


class TestShape(ServiceShape):
    runtime = staticmethod(enrolment.runtime)
