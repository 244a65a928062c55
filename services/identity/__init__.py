"""The identity service: users, memberships, login, tokens and the JWKS.

Identity is the authorization server of the marketplace. It signs short-lived
EdDSA access tokens; every other service verifies them locally against
``/.well-known/jwks.json``. Identity verifies its own tokens straight from its
key ring rather than fetching its own JWKS over HTTP.
"""

from __future__ import annotations

from pathlib import Path

from shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def runtime() -> ServiceRuntime:
    """The identity service's parts."""
    from services.identity import api, events, handlers, models, oauth_api, seed

    return ServiceRuntime(
        name="identity", title="SCORE identity",
        description="Users, organisation memberships, sign-in, tokens and signing keys.",
        metadata=models.Base.metadata, migrations=MIGRATIONS,
        blueprints=lambda: [*api.BLUEPRINTS, oauth_api.blp], events=events.EVENTS,
        handlers=handlers.HANDLERS, on_init=_on_init,
        port=5010, seed=seed.seed_demo, jwks_path="/.well-known/jwks.json")


def _on_init(app) -> None:
    """Load keys and settings (refusing unusable ones), then create the bootstrap admin."""
    from services.identity import service
    from services.identity.context import EXTENSION, build_identity
    from shared.auth import TokenVerifier

    settings = app.extensions["score_settings"]
    identity = build_identity(settings)
    app.extensions[EXTENSION] = identity
    app.extensions["score_auth"] = TokenVerifier(
        identity.config.issuer, identity.config.audience, jwks=identity.keys.jwks())
    service.bootstrap_admin(app.extensions["score_db"], identity)


def create_app(config=None):
    """The identity API app; ``config`` overrides environment settings."""
    from shared.web import create_service_app

    return create_service_app(runtime(), config)
