"""Test helpers to build service apps fast: migrated SQLite templates and tokens."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from flask import Flask

from shared.db import Database
from shared.runtime import ServiceRuntime
from shared.tokens import SigningKey, access_claims, jwks

ISSUER, AUDIENCE = "score-identity", "score"
_TEMPLATES: dict[str, Path] = {}
_TEMPLATE_DIR = Path(tempfile.mkdtemp(prefix="score-templates-"))


def migrated_sqlite(runtime: ServiceRuntime, directory: Path) -> str:
    """A SQLite URL in ``directory`` holding ``runtime``'s schema at head.

    Migrations run once per test session into a template that is then copied,
    which keeps per-test databases cheap while still testing the real migrations.
    """
    if runtime.name not in _TEMPLATES:
        template = _TEMPLATE_DIR / f"{runtime.name}.db"
        db = Database(f"sqlite:///{template}")
        db.migrate(runtime.migrations)
        db.dispose()
        _TEMPLATES[runtime.name] = template
    target = directory / f"{runtime.name}.db"
    shutil.copyfile(_TEMPLATES[runtime.name], target)
    return f"sqlite:///{target}"


def base_config(directory: Path, key: SigningKey, **overrides) -> dict:
    """Settings for a test app: test env, local bus in ``directory``, static JWKS."""
    config = {
        "env": "test",
        "bus": "local",
        "local_bus_path": str(directory / "bus.db"),
        "data_dir": str(directory),
        "jwks": jwks(key),
        "token_issuer": ISSUER,
        "token_audience": AUDIENCE,
        "auto_migrate": False,
    }
    config.update(overrides)
    return config


def service_app(runtime: ServiceRuntime, directory: Path, key: SigningKey,
                **overrides) -> Flask:
    """A test app of any service on a migrated SQLite database in ``directory``.

    A service that signs tokens (identity) signs with ``key``, so its tokens and
    :func:`bearer`'s are both accepted everywhere; password hashing is cheap.
    """
    from shared.web import create_service_app

    config = base_config(directory, key, database_url=migrated_sqlite(runtime, directory),
                         signing_key=key.to_pem(), password_hash_time_cost=1,
                         password_hash_memory_cost=8, password_hash_parallelism=1)
    return create_service_app(runtime, {**config, **overrides})


def bearer(key: SigningKey, role: str, org: str | None = None, org_type: str | None = None,
           subject: str = "user-1", **claims) -> dict:
    """An Authorization header with a fresh access token."""
    body = access_claims(issuer=ISSUER, audience=AUDIENCE, subject=subject, role=role,
                         org=org, org_type=org_type)
    body.update(claims)
    return {"Authorization": f"Bearer {key.sign(body)}"}
