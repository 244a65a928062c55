"""Identity has the shape of every service (tests/support/shape.py)."""

from services import identity
from tests.identity.conftest import FAST_HASHING
from tests.support.shape import ServiceShape


class TestShape(ServiceShape):
    runtime = staticmethod(identity.runtime)
    app_settings = FAST_HASHING
    # Sign-up, and the OAuth 2 endpoints whose credentials are in the request body.
    public_writes = frozenset({"POST /users", "POST /oauth/token", "POST /oauth/revoke",
                               "POST /auth/logout"})
