"""What every template can use: the user, the navigation of their role, asset URLs.

Assets are served by the portal itself (``static/``), never from a CDN, under a URL
carrying their content hash, so browsers may keep them for a year and still get a
changed file at once.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from pathlib import Path

from flask import Flask, current_app, url_for
from flask_babel import lazy_gettext as _l

from services.portal.users import current_user

STATIC = Path(__file__).parent.parent / "static"

# Each role's menu: (endpoint, label). The first entry is the role's start page.
NAVIGATION = {
    "sme_user": [("sme.home", _l("My SME")), ("sme.enrolments", _l("My enrolments")),
                 ("sme.kpis", _l("KPIs")), ("sme.certificates", _l("Certificates"))],
    "provider_staff": [("provider.home", _l("Overview")), ("provider.courses", _l("Courses")),
                       ("provider.sessions", _l("Sessions")),
                       ("provider.payments", _l("Bank transfers")),
                       ("provider.revenue", _l("Revenue"))],
    "sponsor_staff": [("sponsor.home", _l("Funds")), ("sponsor.offers", _l("Offers")),
                      ("sponsor.report", _l("Reports"))],
    "trainer": [("trainer.home", _l("My progress")),
                ("trainer.credentials", _l("Credentials")),
                ("trainer.recommendations", _l("Recommendations"))],
    "platform_admin": [("admin.home", _l("Approvals"))],
    "ilo_auditor": [("ilo.dashboard", _l("Phase III dashboard")), ("ilo.feed", _l("Event feed")),
                    ("ilo.log", _l("Log verification"))],
}


def init_layout(app: Flask) -> None:
    """Template globals and long-lived caching of hashed assets."""
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 365 * 24 * 3600
    app.jinja_env.globals.update(asset=asset, navigation=navigation, current_user=current_user,
                                 form_key=form_key)


def asset(path: str) -> str:
    """The URL of ``static/<path>`` with its content hash (a new file, a new URL)."""
    return url_for("static", filename=path, v=_digest(path, current_app.debug))


@functools.lru_cache(maxsize=256)
def _cached_digest(path: str) -> str:
    return hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:12]


def _digest(path: str, debug: bool) -> str:
    if debug:  # files change under a developer's hands
        return hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:12]
    return _cached_digest(path)


def navigation() -> list[tuple[str, str]]:
    """The signed-in user's menu (empty for visitors)."""
    user = current_user()
    return NAVIGATION.get(user.role, []) if user else []


def form_key() -> str:
    """A fresh idempotency key for a form: submitting it twice does the thing once."""
    return secrets.token_urlsafe(16)
