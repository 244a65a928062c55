"""Demo data for ``score run``: each service's seed, in dependency order, with progress.

A service's seed is ``seed(db, context) -> SeedResult`` (``ServiceRuntime.seed``).
It must be idempotent (``score run`` seeds on every start). What it *provides*
is handed to the seeds of the services that declare a dependency on it, under
its name – the one explicit channel between seeds::

    # identity's seed
    return SeedResult(created={"accounts": 13}, provides={"provider_staff": {...}})
    # catalog's seed (catalog depends on identity)
    staff = context.provided("identity").get("provider_staff", {})
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from shared.config import Settings, load_settings
from shared.db import Database

if TYPE_CHECKING:
    from shared.runtime import ServiceRuntime


@dataclasses.dataclass(frozen=True)
class SeedResult:
    """What a seed did: rows ``created`` per kind (0 when already seeded), what it
    ``provides`` to the seeds of services that depend on this one, and ``notes`` for
    the developer, printed under its line on every run (e.g. a demo client's id and
    secret, which cannot be read back later)."""

    created: Mapping[str, int] = dataclasses.field(default_factory=dict)
    provides: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """``8 providers, 25 courses`` – or ``nothing new``."""
        counts = [f"{n} {kind}" for kind, n in self.created.items() if n]
        return ", ".join(counts) or "nothing new"


@dataclasses.dataclass(frozen=True)
class SeedContext:
    """What a seed gets besides its database: its settings and its dependencies' results."""

    settings: Settings
    dependencies: Mapping[str, SeedResult] = dataclasses.field(default_factory=dict)

    def provided(self, service: str) -> Mapping[str, Any]:
        """What ``service``'s seed provided; ``KeyError`` unless this service depends on it."""
        if service not in self.dependencies:
            raise KeyError(f"{service} is not a dependency of {self.settings.service} "
                           "(add it to the runtime's depends_on)")
        return self.dependencies[service].provides


Seed = Callable[[Database, SeedContext], SeedResult]
Progress = Callable[[str], None]


def seed_all(runtimes: Iterable[ServiceRuntime], progress: Progress = print,
             settings_for: Callable[[str], Settings] = load_settings) -> dict[str, SeedResult]:
    """Migrate every service's database and run its seed, dependencies first.

    ``runtimes`` must be in start order (:func:`shared.runtime.discover_runtimes`).
    ``progress`` gets one line before and one after each service.
    """
    results: dict[str, SeedResult] = {}
    for runtime in runtimes:
        settings = settings_for(runtime.name)
        db = runtime.database(settings.database_url)
        try:
            db.migrate(runtime.migrations)
            if runtime.seed is None:
                results[runtime.name] = SeedResult()
                continue
            progress(f"  seeding {runtime.name} ...")
            started = time.monotonic()
            context = SeedContext(settings, {name: results[name] for name in runtime.depends_on
                                             if name in results})
            results[runtime.name] = runtime.seed(db, context)
            progress(f"  seeded {runtime.name}: {results[runtime.name].summary()} "
                     f"({time.monotonic() - started:.1f} s)")
            for note in results[runtime.name].notes:
                progress(f"    {note}")
        finally:
            db.dispose()
    return results
