"""The key that signs tree heads, from settings: Ed25519, handled as certification's issuer key.

``SCORE_AUDIT_SIGNING_KEY`` (``Settings.get("signing_key")``) is an Ed25519 PKCS#8
PEM (``\\n`` escapes allowed, as environment variables carry them). Production
refuses to start without one: heads signed by a key generated at boot could not
be checked after the next deploy. Development and tests without one generate a
key and keep it in ``<data_dir>/audit-signing-key.pem``, so a restart keeps
earlier heads verifiable.

``SCORE_AUDIT_SIGNING_PREVIOUS_KEYS``: PEMs of rotated-out keys. They sign
nothing any more but stay published (the log's JWKS), so that every head they
signed keeps verifying. A head names its key by ``key_id``, the key's RFC 7638
thumbprint (the ``kid`` of its JWK).
"""

from __future__ import annotations

import base64
import dataclasses
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shared.config import ConfigError, Settings
from shared.keyfiles import parse_key, pem_blocks, persistent_dev_key
from shared.tokens import SigningKey

KEY_FILE = "audit-signing-key.pem"


class HeadKey(SigningKey):
    """An Ed25519 key pair that signs raw bytes (a head's canonical encoding, not a JWS)."""

    def sign_bytes(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message``."""
        return self._private.sign(message)

    def verifies(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's over ``message``."""
        return verify_with_jwk(self.public_jwk(), message, signature)


def verify_with_jwk(jwk: dict, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` over ``message`` verifies with an Ed25519 public JWK."""
    raw = base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclasses.dataclass(frozen=True)
class Signer:
    """The current key (signs) and the rotated-out ones (published, still verify)."""

    key: HeadKey
    previous: tuple[HeadKey, ...] = ()

    @property
    def keys(self) -> dict[str, HeadKey]:
        """Every published key by id, the current one first."""
        found = {self.key.kid: self.key}
        for key in self.previous:
            found.setdefault(key.kid, key)
        return found

    def jwks(self) -> dict:
        """The public keys as a JWK Set (``kid`` = a head's ``key_id``)."""
        return {"keys": [key.public_jwk() for key in self.keys.values()]}


def load_signer(settings: Settings) -> Signer:
    """The signer of ``settings``; :class:`ConfigError` when a key is unusable or missing in
    production."""
    previous = tuple(parse_key(HeadKey, block, "SCORE_AUDIT_SIGNING_PREVIOUS_KEYS")
                     for block in pem_blocks(settings.get("signing_previous_keys"),
                                             "SCORE_AUDIT_SIGNING_PREVIOUS_KEYS"))
    configured = settings.get("signing_key")
    if configured:
        key = parse_key(HeadKey, configured, "SCORE_AUDIT_SIGNING_KEY")
    elif settings.is_production:
        raise ConfigError("production needs SCORE_AUDIT_SIGNING_KEY (an Ed25519 PKCS#8 PEM)")
    else:
        key = persistent_dev_key(HeadKey, Path(settings.data_dir) / KEY_FILE)
    return Signer(key, previous)
