"""The audit service: The ILO's verifiable log of every market event: feed, proofs, Phase III
indicators and reconciliation.

Same shape as every service (docs/SERVICE_GUIDE.md):

    models.py     entities on the service's own DeclarativeBase (shared constraint names)
    schemas.py    request and response schemas
    api.py        thin flask-smorest views: validate, call service.py, return
    service.py    use cases, one function per command, each holding its transaction
    events.py     published event types, their payload schemas and builders
    ingest/       the ingest job: every score.* topic's raw records appended to the log
                  (no handlers.py: the audit logs records, it does not apply them, so it
                  has no handler consumer; production runs `score job audit ingest`)
    access.py     who reads what of the log
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
    from services.audit import api, events, models, seed
    from services.audit.ingest.job import INGEST_JOB

    return ServiceRuntime(
        name="audit",
        title="SCORE Marketplace – Audit",
        description=DESCRIPTION,
        metadata=models.Base.metadata,
        migrations=MIGRATIONS,
        blueprints=api.blueprints,
        events=events.EVENTS,
        # No handlers: the ingest job reads raw records in group score-audit itself.
        handlers=None,
        port=5005,
        depends_on=('identity', 'catalog', 'enrolment', 'sponsorship', 'certification'),
        seed=seed.seed_demo,
        jobs=(INGEST_JOB,),
        on_init=_on_init,
    )


def _on_init(app) -> None:
    """Load the live tail's limits once (refusing values out of range) for the feed's views."""
    from services.audit.feed.settings import TailSlots, load_tail_settings

    limits = load_tail_settings(app.extensions["score_settings"])
    app.extensions["audit_tail_settings"] = limits
    app.extensions["audit_tail_slots"] = TailSlots(limits.max_tails)


def create_app(config=None):
    """The audit API app (``config`` overrides environment settings)."""
    from shared.web import create_service_app

    return create_service_app(runtime(), config)
