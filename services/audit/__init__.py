"""The audit service: The ILO's verifiable log of every market event: feed, proofs, Phase III
indicators and reconciliation.

Same shape as every service (docs/SERVICE_GUIDE.md), split by concern:

    models/          entries (the log itself), tiles and heads, checkpoints, reconciliation
    ingest/          the ingest job: every score.* topic's raw records appended to the log
                     (no handlers.py: the audit logs records, it does not apply them, so it
                     has no handler consumer; production runs `score job audit ingest`)
    log/             the verifiable log: RFC 9162 Merkle tree in tiles, signed tree heads,
                     proofs, the tree job and `score audit verify`
    feed/            pages, exports and the live tail of the entries
    indicators/      Phase III indicators and the productivity view, replayed from the log
    reconciliation/  the log's projections against each service's own state
    schemas/, api/   one module per resource; access.py: who reads what of the log
    events.py        tree heads signed, reconciliations completed
    jobs.py          the four background jobs; seed.py: nothing of its own (see seed_demo)
"""

from __future__ import annotations

from pathlib import Path

from shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"
DESCRIPTION = ("The ILO's verifiable log of every market event: feed, proofs, Phase III "
               'indicators and reconciliation.')


def runtime() -> ServiceRuntime:
    """The audit service's parts for the shared machinery."""
    from services.audit import api, events, jobs, models, reconciliation, seed
    from services.audit.log.verify import VERIFY

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
        # Reconciliation reads each service's state with a token from identity.
        calls=("identity", *reconciliation.SERVICES),
        seed=seed.seed_demo,
        jobs=jobs.JOBS,
        commands=(VERIFY,),
        on_init=_on_init,
    )


def _on_init(app) -> None:
    """Load what the views and jobs need once – the head signing key and policy, the
    reconciler, the live tail's limits, the Phase III targets – so settings are checked
    at start (production refuses a missing key or client secret here)."""
    from services.audit import reconciliation
    from services.audit.feed.settings import TailSlots, load_tail_settings
    from services.audit.indicators.targets import load_targets
    from services.audit.log.job import HeadPolicy
    from services.audit.log.signer import load_signer

    settings = app.extensions["score_settings"]
    app.extensions["audit_signer"] = load_signer(settings)
    HeadPolicy.from_settings(settings)
    app.extensions["audit_reconciler"] = reconciliation.build(settings)
    limits = load_tail_settings(settings)
    app.extensions["audit_tail_settings"] = limits
    app.extensions["audit_tail_slots"] = TailSlots(limits.max_tails)
    app.extensions["audit_targets"] = load_targets(settings)


def create_app(config=None):
    """The audit API app (``config`` overrides environment settings)."""
    from shared.web import create_service_app

    return create_service_app(runtime(), config)
