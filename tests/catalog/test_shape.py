"""The service's shape: migrations match the models, OpenAPI documents every operation."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services import catalog
from services.catalog.models import Base
from shared.db import Database
from shared.events.tables import event_metadata
from shared.migrations import alembic_config


def test_the_migrations_build_exactly_the_models(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/fresh.db")
    db.migrate(catalog.runtime().migrations)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, [Base.metadata, event_metadata]) == []
    db.dispose()


def test_the_migrations_downgrade_to_nothing_and_back(tmp_path):
    from alembic import command

    db = Database(f"sqlite:///{tmp_path}/roundtrip.db")
    cfg = alembic_config(catalog.runtime().migrations)
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
        command.downgrade(cfg, "base")
        command.upgrade(cfg, "head")
    db.dispose()


def test_every_operation_is_documented_with_a_summary(client):
    spec = client.get("/openapi.json").json
    operations = {(method.upper(), path): op for path, item in spec["paths"].items()
                  for method, op in item.items() if method in {"get", "post", "patch"}}
    catalog_ops = {k: v for k, v in operations.items()
                   if not k[1].startswith(("/healthz", "/readyz", "/metrics"))}
    assert len(catalog_ops) == 23
    for (method, path), op in catalog_ops.items():
        assert op.get("summary"), f"{method} {path} has no summary"
        if method != "GET":
            assert op.get("security") == [{"bearerAuth": []}], f"{method} {path}"
    search = operations[("GET", "/sessions")]
    assert {p["name"] for p in search["parameters"]} >= {
        "q", "module", "province", "city", "date_from", "date_to", "language", "price_min",
        "price_max", "provider", "has_free_seats", "sort", "limit", "cursor"}
