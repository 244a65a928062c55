"""What the shared machinery needs to know about one service, and how services are found.

A service describes itself with a :class:`ServiceRuntime` returned by
``services/<name>/__init__.py:runtime()``: its API, models, migrations, events,
handlers – and its development port, the services it depends on and its demo
seed. Launcher, CLI and tests iterate over :func:`discover_runtimes`; nothing in
``shared/`` lists the services.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData

from shared.config import ConfigError, Settings, load_settings
from shared.db import Database
from shared.events.registry import EventCatalog, Handlers

if TYPE_CHECKING:
    from flask import Flask

    from shared.commands import Command
    from shared.jobs import Job
    from shared.seeding import Seed

SERVICES_PACKAGE = "services"


@dataclasses.dataclass(frozen=True)
class ServiceRuntime:
    """A service's parts: API blueprints, models, migrations, events and handlers.

    ``port`` is where the service listens in development and in the deploy files
    (``SCORE_<NAME>_PORT`` moves it for ``score run``); 0 for test-only services.
    ``calls`` names the services this one calls over HTTP (enrolment asks sponsorship
    for quotes): in development the launcher gives it ``SCORE_<NAME>_<CALLEE>_URL``.
    ``depends_on`` names the services that must start and seed before this one
    (the launcher starts and seeds in that order). ``seed`` creates idempotent
    demo data for ``score run`` (:mod:`shared.seeding`). ``jwks_path`` is set by
    the one service that publishes the token verification keys: in development
    every service's ``SCORE_JWKS_URL`` points there. ``jobs`` are the service's
    own background loops beside relay and consumer (:mod:`shared.jobs`); ``commands``
    its own CLI subcommands, ``score <name> <command>`` (:mod:`shared.commands`).
    ``web_ui`` marks the service people open in a browser (the launcher prints it first).
    """

    name: str
    title: str
    description: str
    metadata: MetaData
    migrations: Path
    blueprints: Callable[[], list]
    events: EventCatalog = dataclasses.field(default_factory=lambda: EventCatalog([]))
    handlers: Handlers | None = None
    on_init: Callable[[Flask], None] | None = None
    port: int = 0
    depends_on: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    seed: Seed | None = None
    jwks_path: str | None = None
    jobs: tuple[Job, ...] = ()
    on_database: Callable[[Database], None] | None = None
    commands: tuple[Command, ...] = ()
    # The service people open in a browser (the portal): the launcher prints it first.
    web_ui: bool = False

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

    def group_for(self, settings: Settings) -> str:
        """The consumer group these settings ask for."""
        return settings.consumer_group or self.group


def load_runtime(name: str) -> ServiceRuntime:
    """``services.<name>.runtime()`` or, for ``pkg.module:attr``, that callable."""
    module_name, _, attr = (name if ":" in name
                            else f"{SERVICES_PACKAGE}.{name}:runtime").partition(":")
    factory: Any = getattr(importlib.import_module(module_name), attr)
    return factory()


def discover_runtimes(package: str = SERVICES_PACKAGE) -> list[ServiceRuntime]:
    """Every service of ``package`` (a sub-package with a ``runtime()``), in start order."""
    root = importlib.import_module(package)
    runtimes = []
    for info in sorted(pkgutil.iter_modules(root.__path__), key=lambda i: i.name):
        if not info.ispkg:
            continue
        factory = getattr(importlib.import_module(f"{package}.{info.name}"), "runtime", None)
        if callable(factory):
            runtimes.append(factory())
    return start_order(runtimes)


def start_order(runtimes: Iterable[ServiceRuntime]) -> list[ServiceRuntime]:
    """``runtimes`` with every service after the ones it depends on (else by name).

    :class:`ConfigError` for two services with one name or one port, a dependency
    on a service that is not there, and a dependency cycle.
    """
    by_name: dict[str, ServiceRuntime] = {}
    ports: dict[int, str] = {}
    for runtime in sorted(runtimes, key=lambda r: r.name):
        if runtime.name in by_name:
            raise ConfigError(f"two services are called {runtime.name}")
        if runtime.port and runtime.port in ports:
            raise ConfigError(f"{ports[runtime.port]} and {runtime.name} both use port "
                              f"{runtime.port}")
        by_name[runtime.name] = runtime
        ports[runtime.port] = runtime.name
    ordered: list[ServiceRuntime] = []
    placed: set[str] = set()

    def place(runtime: ServiceRuntime, path: tuple[str, ...]) -> None:
        if runtime.name in placed:
            return
        if runtime.name in path:
            raise ConfigError(f"services depend on each other: {' -> '.join(path)} -> "
                              f"{runtime.name}")
        for dependency in runtime.depends_on:
            if dependency not in by_name:
                raise ConfigError(f"{runtime.name} depends on {dependency}, which is not a "
                                  "service here")
            place(by_name[dependency], (*path, runtime.name))
        placed.add(runtime.name)
        ordered.append(runtime)

    for runtime in by_name.values():
        place(runtime, ())
    return ordered


def development_jwks_url(runtimes: Iterable[ServiceRuntime] | None = None) -> str:
    """Where the service publishing the token keys serves them in development ('' if none).

    Its port is ``SCORE_<NAME>_PORT`` or its runtime's; production sets ``SCORE_JWKS_URL``.
    """
    found = discover_runtimes() if runtimes is None else runtimes
    publisher = next((runtime for runtime in found if runtime.jwks_path), None)
    if publisher is None:
        return ""
    port = load_settings(publisher.name).port or publisher.port
    return f"http://127.0.0.1:{port}{publisher.jwks_path}"


def development_call_urls(runtimes: Iterable[ServiceRuntime]) -> dict[str, str]:
    """``SCORE_<CALLER>_<CALLEE>_URL`` for every runtime's ``calls`` (development ports).

    Callees that are not among ``runtimes`` get no URL: the caller then works
    without them, as it must when they are down.
    """
    found = list(runtimes)
    by_name = {runtime.name: runtime for runtime in found}
    urls = {}
    for caller in found:
        for name in caller.calls:
            callee = by_name.get(name)
            if callee is not None:
                port = load_settings(callee.name).port or callee.port
                urls[f"SCORE_{caller.name.upper()}_{name.upper()}_URL"] = (
                    f"http://127.0.0.1:{port}")
    return urls
