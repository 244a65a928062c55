"""The certification service: Trainers from candidate to certified per module, and verifiable
credentials (Open Badges 3.0, JWT-VC, status lists).

Same shape as every service (docs/SERVICE_GUIDE.md):

    models/       entities on the service's own DeclarativeBase (shared constraint names)
    schemas/      request and response schemas, one module per resource
    api/          thin flask-smorest views per resource: validate, call service/, return
    service/      use cases, one function per command, each holding its transaction
                  (trainers, attendance, reports, recommendations, decisions; issuing:
                  the credential hooks a certifier's decision calls)
    access.py     who sees and changes what (an ILO certifier is a platform_admin account)
    events.py     published event types, their payload schemas and builders
    handlers.py   consumed event types -> use cases
    seed.py       idempotent demo data for `score run`
    migrations/   Alembic; the first revision creates the event tables
"""

from __future__ import annotations

from pathlib import Path

from shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"
DESCRIPTION = ('Trainers from candidate to certified per module, and verifiable credentials '
               '(Open Badges 3.0, JWT-VC, status lists).')


def runtime() -> ServiceRuntime:
    """The certification service's parts for the shared machinery."""
    from services.certification import api, events, handlers, models, seed
    from services.certification.service.expiry import EXPIRY_JOB

    return ServiceRuntime(
        name="certification",
        title="SCORE Marketplace – Certification",
        description=DESCRIPTION,
        metadata=models.Base.metadata,
        migrations=MIGRATIONS,
        blueprints=api.blueprints,
        events=events.EVENTS,
        handlers=handlers.HANDLERS,
        port=5004,
        # Its demo trainers are identity's demo users. Catalog and enrolment, whose events
        # it consumes, start after it: catalog's demo sessions name its certified trainers.
        depends_on=("identity",),
        seed=seed.seed_demo,
        on_init=_on_init,
        jobs=(EXPIRY_JOB,),
    )


def _on_init(app) -> None:
    """Load the certification rules and the issuer once (refusing unusable settings) for views
    and handlers."""
    from services.certification import config, issuer

    rules = config.load_rules(app.extensions["score_settings"])
    app.extensions["certification_rules"] = rules
    config.install(rules)
    # The credential issuer (key, public URL): production refuses a missing key here.
    issuer.install(issuer.load_issuer(app.extensions["score_settings"]))


def create_app(config=None):
    """The certification API app (``config`` overrides environment settings)."""
    from shared.web import create_service_app

    return create_service_app(runtime(), config)
