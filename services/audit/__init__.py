"""The audit service: The ILO's verifiable log of every market event: feed, proofs, Phase III
indicators and reconciliation.

Same shape as every service (docs/SERVICE_GUIDE.md):

    models.py     entities on the service's own DeclarativeBase (shared constraint names)
    schemas.py    request and response schemas
    api.py        thin flask-smorest views: validate, call service.py, return
    service.py    use cases, one function per command, each holding its transaction
    events.py     published event types, their payload schemas and builders
    handlers.py   consumed event types -> use cases
    seed.py       idempotent demo data for `score run`
    migrations/   Alembic; the first revision creates the event tables
"""

from __future__ import annotations

from pathlib import Path

from shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"
DESCRIPTION = ("The ILO's verifiable log of every market event: feed, proofs, Phase III "
               'indicators and reconciliation.')


def runtime() -> ServiceRuntime:
    """The audit service's parts for the shared machinery."""
    from services.audit import api, events, handlers, jobs, models, seed

    return ServiceRuntime(
        name="audit",
        title="SCORE Marketplace – Audit",
        description=DESCRIPTION,
        metadata=models.Base.metadata,
        migrations=MIGRATIONS,
        blueprints=api.blueprints,
        events=events.EVENTS,
        handlers=handlers.HANDLERS,
        port=5005,
        depends_on=('identity', 'catalog', 'enrolment', 'sponsorship', 'certification'),
        seed=seed.seed_demo,
        jobs=jobs.JOBS,
        on_init=_on_init,
    )


def _on_init(app) -> None:
    """Read the Phase III targets once: a bad ``SCORE_AUDIT_TARGETS`` stops the start."""
    from services.audit.indicators.targets import load_targets

    app.extensions["audit_targets"] = load_targets(app.extensions["score_settings"])


def create_app(config=None):
    """The audit API app (``config`` overrides environment settings)."""
    from shared.web import create_service_app

    return create_service_app(runtime(), config)
