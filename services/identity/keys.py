"""The signing key ring: one key signs, older keys stay published until their tokens expire.

Production takes its keys from settings only. Development and tests without a
configured key generate one and keep it in ``<data_dir>/identity-signing-key.pem``
so that a restart does not invalidate every token already handed out.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from shared.config import ConfigError, Settings
from shared.keyfiles import parse_key, pem_blocks, persistent_dev_key
from shared.tokens import SigningKey, jwks

KEY_FILE = "identity-signing-key.pem"


@dataclasses.dataclass(frozen=True)
class KeyRing:
    """The current signing key and the previous keys still accepted."""

    current: SigningKey
    previous: tuple[SigningKey, ...] = ()

    def jwks(self) -> dict:
        """The public JWKS document: current key first."""
        published = {self.current.kid: self.current}
        for key in self.previous:
            published.setdefault(key.kid, key)
        return jwks(*published.values())


def load_keyring(settings: Settings) -> KeyRing:
    """Keys from settings ``signing_key`` / ``previous_signing_keys``; see the module doc."""
    previous = tuple(parse_key(SigningKey, pem, "SCORE_IDENTITY_PREVIOUS_SIGNING_KEYS")
                     for pem in pem_blocks(settings.get("previous_signing_keys"),
                                           "SCORE_IDENTITY_PREVIOUS_SIGNING_KEYS"))
    configured = settings.get("signing_key")
    if configured:
        return KeyRing(parse_key(SigningKey, configured, "SCORE_IDENTITY_SIGNING_KEY"), previous)
    if settings.is_production:
        raise ConfigError("production needs SCORE_IDENTITY_SIGNING_KEY (an Ed25519 PKCS#8 PEM)")
    return KeyRing(persistent_dev_key(SigningKey, Path(settings.data_dir) / KEY_FILE), previous)
