"""The credential issuer from settings: its Ed25519 key and its public URL.

``SCORE_CERTIFICATION_ISSUER_KEY`` (``Settings.get("issuer_key")``) is an Ed25519 PKCS#8
PEM (``\\n`` escapes allowed, as environment variables carry them); production refuses
to start without one – a generated key would sign credentials no one can verify after
the next deploy. Development and tests without one generate a key and keep it in
``<data_dir>/certification-issuer-key.pem`` (identity's way for its signing key), so a
restart keeps earlier credentials verifiable.

``SCORE_CERTIFICATION_ISSUER_PREVIOUS_KEYS``: PEMs of rotated-out keys, still published
(JWKS, DID document) so that what they signed keeps verifying.

``SCORE_CERTIFICATION_PUBLIC_URL`` is where the service is reached from outside: the
``did:web`` issuer id, the status list URLs in every credential and the verification
page's links derive from it. Production requires it (an https URL, since did:web
resolves over https); development defaults to ``http://127.0.0.1:<port>``.

The app installs its issuer at start; a consumer or job process loads it from its
environment on first use (as :func:`services.certification.config.current_rules`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from services.certification.credentials.keys import Issuer, IssuerKey
from shared.config import ConfigError, Settings

KEY_FILE = "certification-issuer-key.pem"
DEFAULT_PORT = 5004
ISSUER_NAME = "SCORE Marketplace (ILO SCORE Indonesia)"
_PEM_BLOCK = re.compile(r"-----BEGIN [A-Z ]+-----.+?-----END [A-Z ]+-----", re.S)


def public_url(settings: Settings) -> str:
    """The service's public base URL (no trailing slash)."""
    configured = (settings.get("public_url") or "").strip()
    if not configured:
        if settings.is_production:
            raise ConfigError("production needs SCORE_CERTIFICATION_PUBLIC_URL (https://...)")
        return f"http://127.0.0.1:{settings.port or DEFAULT_PORT}"
    parts = urlsplit(configured)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
            or parts.fragment:
        raise ConfigError(f"SCORE_CERTIFICATION_PUBLIC_URL is not a base URL: {configured!r}")
    if settings.is_production and parts.scheme != "https":
        raise ConfigError("SCORE_CERTIFICATION_PUBLIC_URL must be https in production")
    return configured.rstrip("/")


def load_issuer(settings: Settings) -> Issuer:
    """The issuer of ``settings``; :class:`ConfigError` when the key or URL is unusable."""
    previous = tuple(_parse(block, "issuer_previous_keys")
                     for block in _pem_blocks(settings.get("issuer_previous_keys")))
    configured = settings.get("issuer_key")
    if configured:
        key = _parse(configured, "issuer_key")
    elif settings.is_production:
        raise ConfigError(
            "production needs SCORE_CERTIFICATION_ISSUER_KEY (an Ed25519 PKCS#8 PEM)")
    else:
        key = _persistent_dev_key(Path(settings.data_dir) / KEY_FILE)
    return Issuer(public_url(settings), key, name=ISSUER_NAME, previous=previous)


def _unescape(pem: str) -> str:
    return pem.replace("\\n", "\n").strip()


def _pem_blocks(raw: object) -> list[str]:
    if not raw:
        return []
    if not isinstance(raw, str):
        raise ConfigError("SCORE_CERTIFICATION_ISSUER_PREVIOUS_KEYS must be PEM text")
    blocks = _PEM_BLOCK.findall(_unescape(raw))
    if not blocks:
        raise ConfigError("SCORE_CERTIFICATION_ISSUER_PREVIOUS_KEYS holds no PEM block")
    return blocks


def _parse(pem: str | bytes, name: str) -> IssuerKey:
    text = pem.decode() if isinstance(pem, bytes) else _unescape(pem)
    try:
        return IssuerKey.from_pem(text)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"certification setting {name} is not an Ed25519 PKCS#8 PEM: {exc}") from exc


def _persistent_dev_key(path: Path) -> IssuerKey:
    """The key in ``path``, created first if missing (safe when workers race: the first
    ``link`` wins and everyone reads its key)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(IssuerKey.generate().to_pem())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return _parse(path.read_text(), str(path))


_installed: list[Issuer] = []


def install(issuer: Issuer) -> None:
    """Make ``issuer`` the process's issuer (the app does this at start)."""
    _installed.append(issuer)


def current_issuer() -> Issuer:
    """The process's issuer: the app's, or – in a consumer or job – the environment's."""
    if not _installed:
        from shared.config import load_settings

        install(load_issuer(load_settings("certification")))
    return _installed[-1]
