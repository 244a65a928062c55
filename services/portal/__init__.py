"""The portal: the web UI of every role, server-rendered, in Bahasa Indonesia and English.

A backend-for-frontend: it owns no market data. Every page reads and writes through
the services' public APIs with the signed-in user's token, which stays server-side
(its one table holds browser sessions). Pages are Jinja templates with progressive
enhancement (a small script of our own; every page works without it); charts are
SVG drawn on the server; every asset is served from ``static/``.

    web/           one blueprint per audience (public, account, sme, provider, sponsor,
                   trainer, admin, ilo), guard.py, layout.py, headers.py, errors.py
    backend.py     the services' HTTP APIs (``requests``), refusals and outages as errors
    calls.py       those APIs as the signed-in user, refreshing the token on a 401
    users.py       sign-in, sign-out and token refresh against identity
    sessions.py    server-side sessions (the cookie carries an opaque id only)
    forms.py       typed values and field errors of a form; messages.py: the services'
                   refusals in the user's language; labels.py: codes in words
    i18n.py        Flask-Babel, locale choice and formatting (rupiah, dates)
    charts.py      server-side SVG charts
    translations/  the catalogues (``make i18n``); templates/, static/
"""

from __future__ import annotations

from pathlib import Path

from shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"
DESCRIPTION = ("The web portal for every role: server-rendered pages over the services' APIs, in"
               ' Bahasa Indonesia and English.')


def runtime() -> ServiceRuntime:
    """The portal's parts for the shared machinery."""
    from services.portal import api, models, seed
    from services.portal.catalogues import I18N
    from services.portal.web import SERVICES, init_web

    return ServiceRuntime(
        name="portal",
        title="SCORE Marketplace – Portal",
        description=DESCRIPTION,
        metadata=models.Base.metadata,
        migrations=MIGRATIONS,
        blueprints=api.blueprints,
        port=5000,
        depends_on=('identity', 'catalog', 'enrolment', 'sponsorship', 'certification', 'audit'),
        # Every page is a call to one of these (SCORE_PORTAL_<SERVICE>_URL).
        calls=SERVICES,
        seed=seed.seed_demo,
        commands=(I18N,),
        web_ui=True,
        on_init=init_web,
    )


def create_app(config=None):
    """The portal app (``config`` overrides environment settings)."""
    from shared.web import create_service_app

    return create_service_app(runtime(), config)
