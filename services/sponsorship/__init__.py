"""The sponsorship service: sponsors' money meets SMEs' enrolments, never overspent.

Sponsors (ministries, donors, lead buyers, associations) register and are
approved by a platform admin. Their **funds** are ledgers (:mod:`.ledger`):
balances are computed from append-only transactions, a row lock on the fund
serialises spending. **Offers** say what a fund pays for, as declarative rules
(:mod:`.rules`) that explain every refusal with a coded reason. At checkout
enrolment asks for a **quote** (:mod:`.matching` picks the best combination)
which becomes a **reservation**; enrolment's events then commit, release or
reverse it (the saga, ``docs/SPONSORSHIP.md``).

Same shape as every service (docs/SERVICE_GUIDE.md): ``models/``, ``schemas/``,
``api/``, ``service/`` packages, ``events.py``, ``handlers.py``, ``seed.py``,
``migrations/``.
"""

from __future__ import annotations

from pathlib import Path

from shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"
DESCRIPTION = ("Sponsors, funds as ledgers, offers with eligibility rules, quotes and "
               "reservations at checkout.")


def runtime() -> ServiceRuntime:
    """The sponsorship service's parts for the shared machinery."""
    from services.sponsorship import api, events, handlers, jobs, models, seed

    return ServiceRuntime(
        name="sponsorship",
        title="SCORE Marketplace – Sponsorship",
        description=DESCRIPTION,
        metadata=models.Base.metadata,
        migrations=MIGRATIONS,
        blueprints=api.blueprints,
        events=events.EVENTS,
        handlers=handlers.HANDLERS,
        port=5003,
        depends_on=("identity", "catalog", "enrolment"),
        seed=seed.seed_demo,
        jobs=jobs.JOBS,
    )


def create_app(config=None):
    """The sponsorship API app (``config`` overrides environment settings)."""
    from shared.web import create_service_app

    return create_service_app(runtime(), config)
