"""Who is using the portal: sign-in, sign-out and token refresh, all server-side.

The tokens identity issues stay in the server-side session (:mod:`services.portal.sessions`).
The access token is verified here with the same keys every service uses, and what
it says (role, organisation) is kept beside it as the :class:`User` the pages see.
It is refreshed shortly before it expires, and again after a service answered 401;
a refresh that fails (revoked, expired) signs the browser out.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time

from flask import current_app, session

from services.portal.backend import Backend, BackendError, ServiceRefused
from shared.auth import Principal

# Refresh this long before the access token expires, so a page's calls never race it.
REFRESH_MARGIN_S = 30

# Where each role lands after signing in.
HOME_BY_ROLE = {
    "sme_user": "sme.home",
    "provider_staff": "provider.home",
    "sponsor_staff": "sponsor.home",
    "trainer": "trainer.home",
    "platform_admin": "admin.home",
    "ilo_auditor": "ilo.dashboard",
}


class SignInFailed(Exception):
    """Wrong email or password, or an account that cannot act yet (message for the form)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LoginRequired(Exception):
    """The page needs a signed-in user and there is none (or the sign-in ran out)."""


@dataclasses.dataclass(frozen=True)
class User:
    """The signed-in user as the pages see them."""

    subject: str
    role: str
    org: str | None
    org_type: str | None
    name: str
    email: str

    @property
    def home(self) -> str:
        """The endpoint of this user's start page."""
        return HOME_BY_ROLE.get(self.role, "public.search")


def backend() -> Backend:
    """The services, as configured for this app."""
    return current_app.extensions["portal_backend"]


def current_user() -> User | None:
    """The signed-in user of this request, or None."""
    data = session.get("user")
    return User(**data) if data else None


def sign_in(email: str, password: str) -> User:
    """Exchange ``email`` and ``password`` for tokens; the session now holds the user."""
    try:
        reply = backend().call("POST", "identity", "/oauth/token", form={
            "grant_type": "password", "username": email, "password": password})
    except ServiceRefused as refused:
        raise SignInFailed(refused.problem.get("error") or "invalid_grant") from refused
    session.clear()
    # A new id at sign-in: an id planted in the browser beforehand is worthless now.
    session.rotate()  # type: ignore[attr-defined]
    return _keep(reply.body, email=email)


def _keep(tokens: dict, email: str | None = None) -> User:
    principal: Principal = current_app.extensions["score_auth"].verify(tokens["access_token"])
    previous = session.get("user") or {}
    name, email = previous.get("name", ""), email or previous.get("email", "")
    if not name or principal.org != previous.get("org"):
        me = backend().call("GET", "identity", "/me", token=tokens["access_token"]).body
        name, email = me.get("name", ""), me.get("email", email)
    user = User(principal.subject, principal.role, principal.org, principal.org_type,
                name, email)
    session["user"] = dataclasses.asdict(user)
    session["tokens"] = {"access": tokens["access_token"],
                         "refresh": tokens.get("refresh_token"),
                         "expires_at": time.time() + int(tokens.get("expires_in", 300))}
    return user


def sign_out() -> None:
    """End the sign-in at identity (its refresh token stops working) and forget it here."""
    refresh_token = (session.get("tokens") or {}).get("refresh")
    if refresh_token:
        # The browser is signed out either way; the token expires on its own.
        with contextlib.suppress(BackendError):
            backend().call("POST", "identity", "/auth/logout",
                           form={"refresh_token": refresh_token})
    locale = session.get("locale")
    session.clear()
    session.rotate()  # type: ignore[attr-defined]
    if locale:
        session["locale"] = locale


def access_token() -> str | None:
    """The user's access token, refreshed first when it is about to expire."""
    tokens = session.get("tokens")
    if not tokens:
        return None
    if tokens["expires_at"] - time.time() < REFRESH_MARGIN_S:
        return refresh()
    return tokens["access"]


def refresh() -> str:
    """A new token pair from the refresh token; :class:`LoginRequired` when that fails.

    Also how a new membership reaches the pages: an SME user who just registered
    their SME acts for it once identity has applied the event.
    """
    tokens = session.get("tokens") or {}
    if not tokens.get("refresh"):
        _forget()
        raise LoginRequired()
    try:
        reply = backend().call("POST", "identity", "/oauth/token", form={
            "grant_type": "refresh_token", "refresh_token": tokens["refresh"]})
    except ServiceRefused as refused:
        _forget()
        raise LoginRequired() from refused
    _keep(reply.body)
    return session["tokens"]["access"]


def _forget() -> None:
    for key in ("user", "tokens"):
        session.pop(key, None)
