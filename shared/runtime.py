"""What the shared machinery needs to know about one service."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import MetaData

from shared.db import Database
from shared.events.registry import EventCatalog, Handlers


@dataclasses.dataclass(frozen=True)
class ServiceRuntime:
    """A service's parts: API blueprints, models, migrations, events and handlers."""

    name: str
    title: str
    description: str
    metadata: MetaData
    migrations: Path
    blueprints: Callable[[], list]
    events: EventCatalog = dataclasses.field(default_factory=lambda: EventCatalog([]))
    handlers: Handlers | None = None
    on_init: Callable | None = None
    on_database: Callable[[Database], None] | None = None

    def database(self, url: str, **engine_kwargs) -> Database:
        """This service's database at ``url``, with the service's session hooks bound.

        Every process that writes a service's data (API, consumer, relay, seeding,
        benchmarks) opens it here, so hooks such as the catalog's search freshness
        hold for all its writers and for no other service's sessions.
        """
        db = Database(url, **engine_kwargs)
        if self.on_database is not None:
            self.on_database(db)
        return db

    @property
    def group(self) -> str:
        """Default consumer group id: one per service (``SCORE_CONSUMER_GROUP`` overrides)."""
        return f"score-{self.name}"

    def group_for(self, settings) -> str:
        """The consumer group these settings ask for."""
        return settings.consumer_group or self.group


def load_runtime(name: str) -> ServiceRuntime:
    """``services.<name>.runtime()`` or, for ``pkg.module:attr``, that callable."""
    import importlib

    module_name, _, attr = (name if ":" in name else f"services.{name}:runtime").partition(":")
    return getattr(importlib.import_module(module_name), attr)()
