"""Portal test fixtures: the app over faked services, a browser-like client, sign-in.

The portal is a backend-for-frontend: these tests check what it does with the
services' answers (pages, forms, errors, sessions, languages) against
:class:`tests.portal.fakes.FakeServices`. The real services behind it are driven
by the browser journeys (``tests/portal/browser/``).
"""

from __future__ import annotations

import re

import pytest

from services import portal
from services.portal.backend import Backend
from tests.portal.fakes import SERVICES, FakeServices, session_for
from tests.support.apps import migrated_sqlite

PASSWORD = "correct horse battery"


@pytest.fixture
def services():
    """The faked services (answers and recorded requests)."""
    return FakeServices()


@pytest.fixture
def app(tmp_path, app_config, services):
    """The portal app on a fresh migrated SQLite database, its services faked."""
    url = migrated_sqlite(portal.runtime(), tmp_path)
    application = portal.create_app(app_config(database_url=url))
    application.extensions["portal_backend"] = Backend(
        {name: f"http://{name}" for name in SERVICES}, 5, http=session_for(services))
    yield application
    application.extensions["score_db"].dispose()


@pytest.fixture
def client(app):
    """A test client of the app (it keeps cookies, as a browser does)."""
    return app.test_client()


def csrf_of(page: bytes | str) -> str:
    """The CSRF token in a rendered form."""
    text = page.decode() if isinstance(page, bytes) else page
    match = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def sign_in(client, services, auth):
    """``sign_in(role, org)``: the client is signed in as that user (identity faked)."""

    def signed_in(role: str, org: str | None = None, org_type: str | None = None,
                  name: str = "Siti Rahma", email: str = "siti@example.id",
                  subject: str = "user-1"):
        token = auth(role, org, org_type, subject=subject)["Authorization"].split()[1]
        services.answer("identity", "POST", "/oauth/token", {
            "access_token": token, "token_type": "Bearer", "expires_in": 300,
            "refresh_token": "refresh-1"})
        services.answer("identity", "GET", "/me", {
            "id": subject, "email": email, "name": name, "role": role, "org": org,
            "org_type": org_type, "memberships": []})
        page = client.get("/login")
        response = client.post("/login", data={"email": email, "password": PASSWORD,
                                               "csrf_token": csrf_of(page.data)})
        assert response.status_code == 303, response.data[:500]
        return response

    return signed_in


@pytest.fixture(autouse=True)
def _fresh_reference_data():
    """Each test's fake catalog answers its own modules and provinces."""
    from services.portal import reference

    reference.forget()
    yield
    reference.forget()
