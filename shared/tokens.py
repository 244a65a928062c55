"""Ed25519 signing keys and access-token minting (identity signs; tests mint too)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


class SigningKey:
    """One Ed25519 key pair; its ``kid`` is the RFC 7638 thumbprint of the public key."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private = private_key
        raw = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self._x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": self._x},
                               separators=(",", ":"), sort_keys=True)
        self.kid = base64.urlsafe_b64encode(
            hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()

    @classmethod
    def generate(cls) -> SigningKey:
        """A fresh random key."""
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_pem(cls, pem: str | bytes) -> SigningKey:
        """Load a PKCS#8 PEM private key."""
        data = pem.encode() if isinstance(pem, str) else pem
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the signing key must be Ed25519")
        return cls(key)

    def to_pem(self) -> str:
        """PKCS#8 PEM of the private key."""
        return self._private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()).decode()

    def public_jwk(self) -> dict:
        """The public half as a JWK."""
        return {"kty": "OKP", "crv": "Ed25519", "x": self._x, "kid": self.kid,
                "alg": "EdDSA", "use": "sig"}

    def sign(self, claims: dict) -> str:
        """A compact JWS of ``claims``."""
        return jwt.encode(claims, self._private, algorithm="EdDSA", headers={"kid": self.kid})


def jwks(*keys: SigningKey) -> dict:
    """A JWKS document publishing the public halves of ``keys``."""
    return {"keys": [k.public_jwk() for k in keys]}


def access_claims(*, issuer: str, audience: str, subject: str, role: str,
                  org: str | None = None, org_type: str | None = None,
                  ttl_s: int = 900, now: dt.datetime | None = None) -> dict:
    """The claims of a short-lived access token."""
    now = now or dt.datetime.now(dt.UTC)
    claims = {"iss": issuer, "aud": audience, "sub": subject, "role": role, "typ": "access",
              "iat": now, "nbf": now, "exp": now + dt.timedelta(seconds=ttl_s),
              "jti": str(uuid.uuid4())}
    if org:
        claims["org"] = org
        claims["org_type"] = org_type
    return claims
