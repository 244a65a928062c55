"""A burst of parallel wrong passwords gets no more password checks than the limit allows.

Each attempt's password check is slowed down so that the whole burst is in
flight at once: the checks then only stay within the limit if the throttle
counts an attempt before checking it, atomically with the count.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from services import identity
from services.identity.context import EXTENSION
from shared.db import Database
from tests.identity.conftest import PASSWORD

BURST = 8


class CountingPasswords:
    """The app's password hasher, counting (and slowing down) every check."""

    def __init__(self, inner, delay_s: float = 0.3) -> None:
        self.inner, self.delay_s = inner, delay_s
        self.checks = 0
        self._lock = threading.Lock()

    def verify(self, password_hash, password):
        with self._lock:
            self.checks += 1
        time.sleep(self.delay_s)
        return self.inner.verify(password_hash, password)

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def make_app(request, identity_config):
    """``make_app(**settings)`` → (identity app, its counting hasher) on either database."""
    overrides = {}
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_database")
        db = Database(url)
        db.migrate(identity.MIGRATIONS)
        db.dispose()
        overrides["database_url"] = url
    apps = []

    def _make(**settings):
        app = identity.create_app(identity_config(**overrides, **settings))
        counting = CountingPasswords(app.extensions[EXTENSION].passwords)
        app.extensions[EXTENSION] = dataclasses.replace(app.extensions[EXTENSION],
                                                        passwords=counting)
        apps.append(app)
        return app, counting

    yield _make
    for app in apps:
        app.extensions["score_db"].dispose()


def burst(app, emails: list[str], password: str = "wrong password!") -> list[int]:
    """Send one sign-in per email, all at once; their status codes."""
    start = threading.Barrier(len(emails))

    def attempt(email: str) -> int:
        client = app.test_client()
        start.wait()
        return client.post("/oauth/token", data={"grant_type": "password", "username": email,
                                                 "password": password}).status_code

    with ThreadPoolExecutor(len(emails)) as pool:
        return list(pool.map(attempt, emails))


def test_a_burst_on_one_email_gets_at_most_the_email_limit_of_checks(make_app):
    app, counting = make_app(login_max_failures_per_email="5")
    app.test_client().post("/users", json={"email": "siti@example.id", "name": "Siti",
                                           "password": PASSWORD, "intended_role": "sme_user"})

    statuses = burst(app, ["siti@example.id"] * BURST)

    assert counting.checks == 5
    assert sorted(statuses) == [400] * 5 + [429] * (BURST - 5)
    assert app.test_client().post("/oauth/token", data={
        "grant_type": "password", "username": "siti@example.id",
        "password": PASSWORD}).status_code == 429


def test_a_burst_from_one_address_gets_at_most_the_address_limit_of_checks(make_app):
    app, counting = make_app(login_max_failures_per_ip="3")

    statuses = burst(app, [f"guess{n}@example.id" for n in range(BURST)])

    assert counting.checks == 3
    assert sorted(statuses) == [400] * 3 + [429] * (BURST - 3)


def test_right_passwords_in_a_burst_are_refunded_and_use_up_nothing(make_app):
    app, counting = make_app(login_max_failures_per_ip="3")
    client = app.test_client()
    for n in range(BURST):
        client.post("/users", json={"email": f"user{n}@example.id", "name": "U",
                                    "password": PASSWORD, "intended_role": "sme_user"})

    first = burst(app, [f"user{n}@example.id" for n in range(3)], PASSWORD)
    second = burst(app, [f"user{n}@example.id" for n in range(3, 6)], PASSWORD)

    assert first == second == [200, 200, 200]
    assert counting.checks == 6
