"""Certification has the shape of every service (tests/support/shape.py)."""

from services import certification
from tests.support.shape import ServiceShape


class TestShape(ServiceShape):
    runtime = staticmethod(certification.runtime)
    # Verification is public (a credential and its status are for anyone to check).
    public_writes = frozenset({"POST /credentials/verify", "POST /verify"})
