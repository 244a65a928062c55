"""The enrolment service: SMEs enrol a team into a session, hold seats, pay, and are trained.

Where the market earns its money, so it carries the hardest guarantees: no seat
sold twice (one conditional UPDATE per hold), no payment lost or counted twice
(webhooks stored once, in the transaction of their effect). Same shape as every
service (docs/SERVICE_GUIDE.md):

    config.py      the policy: team rules, holds, invoices, refunds, completion, KPIs
    lifecycle.py   enrolment, payment, visit and waitlist state tables
    rules.py       pure rules (NIB, size class, team mix, refund share, references, KPIs)
    ledger.py      settlement arithmetic: statement months, platform fee, net payable
    models/        one module per concept on one DeclarativeBase
    service/       use cases, one module per concept, each command holding its transaction
    payments/      the card gateways: Stripe, and the sandbox of the embedded default
    sponsorship/   the sponsors' share quoted at checkout (sponsorship's POST /quotes)
    api/           thin flask-smorest views, one blueprint per resource
    events.py      published event types, their payload schemas and builders
    handlers.py    catalog's session and provider events -> the read models
    seed.py        idempotent demo data for `score run`
"""

from __future__ import annotations

from pathlib import Path

from shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def runtime() -> ServiceRuntime:
    """The enrolment service's parts for the shared machinery."""
    from services.enrolment import api, events, handlers, jobs, models, seed

    return ServiceRuntime(
        name="enrolment",
        title="SCORE Marketplace – Enrolment",
        description=("SME profiles, team enrolments, seat holds, waitlist, payments (Stripe, "
                     "bank transfer), attendance, consultancy visits, enterprise KPIs and "
                     "providers' monthly settlement statements."),
        metadata=models.Base.metadata,
        migrations=MIGRATIONS,
        blueprints=api.blueprints,
        events=events.EVENTS,
        handlers=handlers.HANDLERS,
        port=5002,
        depends_on=('identity', 'catalog'),
        # Quotes at checkout (services/enrolment/sponsorship): SCORE_ENROLMENT_SPONSORSHIP_URL.
        calls=('sponsorship',),
        seed=seed.seed_demo,
        on_init=_on_init,
        jobs=jobs.jobs(),
    )


def _on_init(app) -> None:
    """Load the policy once (refusing unusable settings) for views, handlers and jobs."""
    from services.enrolment import config, payments, sponsorship

    policy = config.load_policy(app.extensions["score_settings"])
    app.extensions["enrolment_policy"] = policy
    config.install(policy)
    # Payment settings too: production refuses the sandbox and a missing webhook secret.
    gateways = payments.build(app.extensions["score_settings"],
                              app.extensions["score_runtime"].port)
    app.extensions["enrolment_payments"] = gateways
    payments.install(gateways)
    # Only the API quotes (checkout, invoice); its counter joins the app's /metrics.
    app.extensions["enrolment_sponsorship"] = sponsorship.build(
        app.extensions["score_settings"], app.extensions["score_metrics"])


def create_app(config=None):
    """The enrolment API app (``config`` overrides environment settings)."""
    from shared.web import create_service_app

    return create_service_app(runtime(), config)
