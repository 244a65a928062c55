"""The signing key ring: one key signs, older keys stay published until their tokens expire.

Production takes its keys from settings only. Development and tests without a
configured key generate one and keep it in ``<data_dir>/identity-signing-key.pem``
so that a restart does not invalidate every token already handed out.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

from shared.config import ConfigError, Settings
from shared.tokens import SigningKey, jwks

KEY_FILE = "identity-signing-key.pem"
_PEM_BLOCK = re.compile(r"-----BEGIN [A-Z ]+-----.+?-----END [A-Z ]+-----", re.S)


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
    previous = tuple(_parse(pem, "previous_signing_keys")
                     for pem in _pem_list(settings.get("previous_signing_keys")))
    configured = settings.get("signing_key")
    if configured:
        return KeyRing(_parse(configured, "signing_key"), previous)
    if settings.is_production:
        raise ConfigError("production needs SCORE_IDENTITY_SIGNING_KEY (an Ed25519 PKCS#8 PEM)")
    return KeyRing(_persistent_dev_key(Path(settings.data_dir) / KEY_FILE), previous)


def _pem_list(raw) -> list[str | bytes]:
    if not raw:
        return []
    if not isinstance(raw, str):
        return list(raw)
    blocks = _PEM_BLOCK.findall(_unescape(raw))
    if not blocks:
        raise ConfigError("identity setting previous_signing_keys holds no PEM block")
    return blocks


def _unescape(pem: str) -> str:
    # Environment variables often carry PEMs with literal "\n" sequences.
    return pem.replace("\\n", "\n").strip()


def _parse(pem: str | bytes, name: str) -> SigningKey:
    text = pem.decode() if isinstance(pem, bytes) else _unescape(pem)
    try:
        return SigningKey.from_pem(text)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"identity setting {name} is not an Ed25519 PKCS#8 PEM: {exc}") from exc


def _persistent_dev_key(path: Path) -> SigningKey:
    """The key in ``path``, created first if missing (safe when workers race)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(SigningKey.generate().to_pem())
        try:
            # link() fails if another process won the race; its key is kept.
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return _parse(path.read_text(), str(path))
