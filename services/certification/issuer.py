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

from pathlib import Path
from urllib.parse import urlsplit

from services.certification.credentials.keys import Issuer, IssuerKey
from shared.config import ConfigError, Settings
from shared.keyfiles import parse_key, pem_blocks, persistent_dev_key

KEY_FILE = "certification-issuer-key.pem"
DEFAULT_PORT = 5004
ISSUER_NAME = "SCORE Marketplace (ILO SCORE Indonesia)"


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
    previous = tuple(parse_key(IssuerKey, block, "SCORE_CERTIFICATION_ISSUER_PREVIOUS_KEYS")
                     for block in pem_blocks(settings.get("issuer_previous_keys"),
                                             "SCORE_CERTIFICATION_ISSUER_PREVIOUS_KEYS"))
    configured = settings.get("issuer_key")
    if configured:
        key = parse_key(IssuerKey, configured, "SCORE_CERTIFICATION_ISSUER_KEY")
    elif settings.is_production:
        raise ConfigError(
            "production needs SCORE_CERTIFICATION_ISSUER_KEY (an Ed25519 PKCS#8 PEM)")
    else:
        key = persistent_dev_key(IssuerKey, Path(settings.data_dir) / KEY_FILE)
    return Issuer(public_url(settings), key, name=ISSUER_NAME, previous=previous)


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
