"""Catalog service: providers, SCORE modules, courses, sessions and public search.

The first domain service and the model of the shape (``docs/SERVICE_GUIDE.md``):

    models.py      entities guarding their invariants (transitions → lifecycle.py)
    lifecycle.py   state machines as data      rules.py    pure rules (dates, NPWP…)
    access.py      who sees and changes what   clock.py    "today" in WIB
    service/       use cases, one per command, each holding its transaction
    search.py      public search and keyset pagination (Core, no ORM on the hot path)
    search_freshness.py  every committed write versioned and described (session hooks)
    search_scope.py  which cached pages a change to one session can alter
    search_cache.py  cached search pages: dropped or patched per change (never stale)
    schemas.py     request/response schemas    queries.py  query-string schemas (→ 400)
    api/           thin flask-smorest views, one blueprint per resource
    events.py      published event types and their payload builders
    handlers.py    enrolment events → the seats read model (service/seats.py);
                   certification events → the trainers read model (service/trainers.py)
    config.py      settings read at start (SCORE_CATALOG_REQUIRE_CERTIFIED_LEAD)
    reference.py   SCORE modules and provinces (seeded by migration)
    seed.py        demo data through the use cases (idempotent)
"""

from __future__ import annotations

from pathlib import Path

from shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def runtime() -> ServiceRuntime:
    """The catalog's parts for the shared machinery."""
    from services.catalog import api, events, handlers, models, search_freshness, seed

    return ServiceRuntime(
        name="catalog",
        title="SCORE Marketplace – Catalog",
        description="Training providers, SCORE modules, courses and sessions; public search.",
        metadata=models.Base.metadata,
        migrations=MIGRATIONS,
        blueprints=api.blueprints,
        events=events.EVENTS,
        handlers=handlers.HANDLERS,
        on_init=_on_init,
        port=5001,
        # Registered by identity's demo users; verifies tokens with identity's keys. Its
        # demo sessions name certification's demo trainers (certified leads).
        depends_on=("identity", "certification"),
        seed=seed.seed_demo,
        on_database=search_freshness.bind,
    )


def _on_init(app) -> None:
    from services.catalog import config, search_cache

    settings = app.extensions["score_settings"]
    app.extensions["catalog_require_certified_lead"] = config.require_certified_lead(settings)
    # SCORE_CATALOG_SEARCH_CACHE=false turns the page cache off (the bench measures both).
    setting = str(settings.get("search_cache", "true")).lower()
    if setting not in ("0", "false", "no", "off"):
        search_cache.init_app(app)


def create_app(config=None):
    """The catalog API app (``config`` overrides environment settings)."""
    from shared.web import create_service_app

    return create_service_app(runtime(), config)
