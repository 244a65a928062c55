"""The portal's pages: one blueprint per audience, over the services' APIs.

``init_web(app)`` (the runtime's ``on_init``) binds what every page needs: the
server-side sessions, CSRF protection on every form (Flask-WTF), the languages,
the backend client, the security headers of an HTML application, and friendly
error pages in the user's language. The blueprints:

    public.py     search, session and provider pages, certificate verification
    account.py    sign-in, sign-up, sign-out, the language switch
    sme.py, provider.py, sponsor.py, trainer.py, admin.py, ilo.py – one per role
"""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from services.portal.backend import Backend
from services.portal.i18n import init_i18n
from services.portal.labels import init_labels
from services.portal.sessions import ServerSessions

# The services the portal calls (each URL from SCORE_PORTAL_<SERVICE>_URL).
SERVICES = ("identity", "catalog", "enrolment", "sponsorship", "certification", "audit")


def init_web(app: Flask) -> None:
    """Everything the pages need, then the pages."""
    from services.portal.web import (
        account,
        admin,
        errors,
        headers,
        ilo,
        layout,
        provider,
        public,
        sme,
        sponsor,
        trainer,
    )

    settings = app.extensions["score_settings"]
    app.config.update(
        SESSION_COOKIE_NAME="score_portal",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        # A form may sit open for a long time (a team typed in slowly).
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=settings.is_production,
    )
    hours = float(settings.get("session_hours") or 8)
    app.session_interface = ServerSessions(app.extensions["score_db"], dt.timedelta(hours=hours))
    urls = {name: str(settings.get(f"{name}_url") or "") for name in SERVICES}
    timeout = float(settings.get("call_timeout_s") or 5)
    app.extensions["portal_backend"] = Backend(urls, timeout)
    CSRFProtect(app)
    init_i18n(app)
    layout.init_layout(app)
    init_labels(app)
    headers.init_headers(app)
    errors.init_errors(app)
    for module in (public, account, sme, provider, sponsor, trainer, admin, ilo):
        app.register_blueprint(module.bp)
