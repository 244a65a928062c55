"""Access tokens (signed JWTs) and the opaque secrets identity hands out.

Refresh tokens and client secrets are 256-bit random strings; only their
SHA-256 digests are stored. A fast hash is enough for secrets of that
strength (nobody can guess one), and it lets a token be found by its digest.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from services.identity.config import IdentityConfig
from services.identity.keys import KeyRing
from shared import clock
from shared.auth import Principal
from shared.tokens import access_claims


def new_secret() -> str:
    """A fresh URL-safe random secret."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The stored form of a secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_digest: str) -> bool:
    """Constant-time comparison of a presented secret with a stored digest."""
    return hmac.compare_digest(digest(secret), stored_digest)


def sign_access_token(keys: KeyRing, config: IdentityConfig, grant: Principal) -> str:
    """A short-lived access token speaking for ``grant``, signed with the current key."""
    claims = access_claims(issuer=config.issuer, audience=config.audience,
                           subject=grant.subject, role=grant.role, org=grant.org,
                           org_type=grant.org_type, ttl_s=config.access_ttl_s,
                           now=clock.now())
    return keys.current.sign(claims)
