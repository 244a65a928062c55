"""The shape every service has, as checks and as a test class each service's tests reuse.

``tests/<service>/test_shape.py`` is::

    class TestShape(ServiceShape):
        runtime = staticmethod(<service>.runtime)

and ``tests/test_every_service.py`` makes sure every service found has one.
The functions are public so ``score new-service``'s test runs them on a
freshly generated service.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from shared.db import Database
from shared.events.tables import event_metadata
from shared.migrations import alembic_config
from shared.persistence import NAMING_CONVENTION
from shared.runtime import ServiceRuntime
from shared.web import create_service_app
from tests.support.apps import migrated_sqlite

METHODS = ("get", "post", "put", "patch", "delete")
WRITES = ("post", "put", "patch", "delete")
# Served by every app (shared.observability), documented by no service.
INFRASTRUCTURE_PATHS = ("/healthz", "/readyz", "/metrics")


def migration_drift(runtime: ServiceRuntime, url: str) -> list:
    """What the migrations at head build differently from the models (empty: nothing)."""
    db = Database(url)
    try:
        db.migrate(runtime.migrations)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, [runtime.metadata, event_metadata]))
    finally:
        db.dispose()


def migrate_down_and_up(runtime: ServiceRuntime, url: str) -> None:
    """Upgrade to head, downgrade to nothing, upgrade again (raises if a step fails)."""
    db = Database(url)
    cfg = alembic_config(runtime.migrations)
    try:
        with db.engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
            command.downgrade(cfg, "base")
            command.upgrade(cfg, "head")
    finally:
        db.dispose()


def undocumented_operations(spec: dict[str, Any], public_writes: frozenset[str] = frozenset()
                            ) -> list[str]:
    """Operations without a one-line summary, and writes that do not declare bearer auth.

    ``public_writes`` (``"POST /users"``) are writes anyone may call, e.g. sign-up or
    OAuth 2 endpoints whose credentials travel in the body.
    """
    problems = []
    for path, item in spec["paths"].items():
        if path.startswith(INFRASTRUCTURE_PATHS):
            continue
        for method, operation in item.items():
            if method not in METHODS:
                continue
            where = f"{method.upper()} {path}"
            summary = operation.get("summary") or ""
            if not summary or "\n" in summary:
                problems.append(f"{where}: no one-line summary")
            secured = operation.get("security") == [{"bearerAuth": []}]
            if method in WRITES and not secured and where not in public_writes:
                problems.append(f"{where}: a write that does not declare bearer auth")
    return problems


def service_app(runtime: ServiceRuntime, config: dict[str, Any], directory: Path) -> Flask:
    """The service's app on a migrated SQLite database in ``directory``."""
    url = migrated_sqlite(runtime, directory)
    return create_service_app(runtime, {**config, "database_url": url})


class ServiceShape:
    """Shape tests; subclass as ``TestShape`` and set ``runtime`` (and the optional rest)."""

    runtime: ClassVar[Callable[[], ServiceRuntime]]
    # Extra settings the service's app needs in tests (e.g. cheap password hashing).
    app_settings: ClassVar[dict[str, Any]] = {}
    # Writes anyone may call ("POST /users"); every other write declares bearer auth.
    public_writes: ClassVar[frozenset[str]] = frozenset()

    def test_the_migrations_build_exactly_the_models(self, tmp_path):
        assert migration_drift(self.runtime(), f"sqlite:///{tmp_path}/fresh.db") == []

    @pytest.mark.integration
    def test_the_migrations_build_exactly_the_models_on_postgresql(self, pg_database):
        # Also compares constraint names, which SQLite does not keep for unnamed ones.
        assert migration_drift(self.runtime(), pg_database) == []

    def test_the_migrations_downgrade_to_nothing_and_back(self, tmp_path):
        migrate_down_and_up(self.runtime(), f"sqlite:///{tmp_path}/roundtrip.db")

    def test_the_models_name_constraints_by_the_shared_convention(self):
        convention = self.runtime().metadata.naming_convention
        assert {key: convention.get(key) for key in NAMING_CONVENTION} == NAMING_CONVENTION

    def test_every_operation_has_a_summary_and_every_write_needs_a_token(self, tmp_path,
                                                                          app_config):
        app = service_app(self.runtime(), app_config(**self.app_settings), tmp_path)
        try:
            response = app.test_client().get("/openapi.json")
            assert response.status_code == 200
            assert undocumented_operations(response.json, self.public_writes) == []
        finally:
            app.extensions["score_db"].dispose()
