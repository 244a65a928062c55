"""Token use cases (RFC 6749 grants) and refresh-token revocation (RFC 7009).

Refresh tokens rotate: each is single-use, and presenting one that was already
used revokes its whole family (everything descended from the same sign-in),
because either the client or a thief is replaying it and we cannot tell which.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.identity import throttle
from services.identity.context import Identity
from services.identity.models import Client, Membership, RefreshToken, User, new_id
from services.identity.service import active_memberships, normalise_email
from services.identity.tokens import digest, new_secret, secret_matches, sign_access_token
from shared.auth import Principal
from shared.db import Database
from shared.errors import DomainError

_TITLES = {400: "Bad request", 401: "Unauthorized"}


class OAuthError(DomainError):
    """A token-endpoint error; ``error`` is the RFC 6749 code (a problem extension member)."""

    def __init__(self, status: int, error: str, detail: str, errors: dict | None = None) -> None:
        super().__init__(detail, errors)
        self.status, self.error = status, error
        self.title, self.type_slug = _TITLES[status], error.replace("_", "-")


def invalid_request(detail: str, errors: dict | None = None) -> OAuthError:
    """A missing, repeated or malformed parameter (400)."""
    return OAuthError(400, "invalid_request", detail, errors)


def unsupported_grant_type(grant_type: str) -> OAuthError:
    """A grant type this server does not offer (400)."""
    return OAuthError(400, "unsupported_grant_type", f"unsupported grant_type {grant_type!r}")


def invalid_grant(detail: str) -> OAuthError:
    """Wrong credentials, or a refresh token that is unknown, used, expired or revoked.

    400, as RFC 6749 section 5.2 has it: the grant is bad, not the client's authentication.
    """
    return OAuthError(400, "invalid_grant", detail)


def invalid_client(detail: str = "unknown client or wrong client secret") -> OAuthError:
    """Client authentication failed (401)."""
    return OAuthError(401, "invalid_client", detail)


@dataclasses.dataclass(frozen=True)
class IssuedTokens:
    """A token response."""

    access_token: str
    expires_in: int
    refresh_token: str | None = None
    token_type: str = "Bearer"


def password_grant(db: Database, identity: Identity, username: str, password: str,
                   org_id: str | None, client_ip: str) -> IssuedTokens:
    """Sign a user in with email and password, acting for ``org_id`` (or their first org)."""
    email, now, policy = normalise_email(username), identity.now(), identity.config.throttle
    # The attempt is reserved before the (slow) check, so parallel guesses queue for
    # the limit instead of all passing a check none of them has counted against yet.
    with db.transaction() as session:
        attempt = throttle.reserve_attempt(session, policy, email, client_ip, now)
        user = session.scalar(select(User).where(User.email == email))
    # Unknown emails are verified against a dummy hash so both take equally long.
    verified = identity.passwords.verify(user.password_hash if user else None, password)
    if not verified or user is None:
        raise invalid_grant("the email or password is wrong")
    with db.transaction() as session:
        throttle.succeeded(session, attempt, email)
    rehashed = (identity.passwords.hash(password)
                if identity.passwords.needs_rehash(user.password_hash) else None)
    with db.transaction() as session:
        user = session.get(User, user.id)
        if rehashed:
            user.password_hash = rehashed
        membership = _choose_membership(session, user.id, org_id)
        grant = _grant_for(user, membership)
        refresh = _issue_refresh(session, identity, user.id, membership, new_id(), now)
    return _tokens(identity, grant, refresh)


def _choose_membership(session: Session, user_id: str, org_id: str | None) -> Membership | None:
    memberships = active_memberships(session, user_id)
    if org_id is None:
        return memberships[0] if memberships else None
    for membership in memberships:
        if membership.org_id == org_id:
            return membership
    raise invalid_request("you have no active membership in that organisation",
                          errors={"org_id": ["not one of your organisations"]})


def _grant_for(user: User, membership: Membership | None) -> Principal:
    if membership is not None:
        return Principal(user.id, membership.role, membership.org_id, membership.org_type)
    if user.intended_role is None:
        raise invalid_grant("the account has no active membership")
    return Principal(user.id, user.intended_role)


def _issue_refresh(session: Session, identity: Identity, user_id: str,
                   membership: Membership | None, family_id: str, now: dt.datetime) -> str:
    secret = new_secret()
    session.add(RefreshToken(
        token_hash=digest(secret), family_id=family_id, user_id=user_id,
        membership_id=membership.id if membership else None, issued_at=now,
        expires_at=now + dt.timedelta(seconds=identity.config.refresh_ttl_s)))
    return secret


def _tokens(identity: Identity, grant: Principal, refresh: str | None) -> IssuedTokens:
    access = sign_access_token(identity.keys, identity.config, grant)
    return IssuedTokens(access, identity.config.access_ttl_s, refresh)


def refresh_grant(db: Database, identity: Identity, refresh_token: str) -> IssuedTokens:
    """Exchange a refresh token for new tokens (the old refresh token is used up)."""
    now = identity.now()
    with db.transaction() as session:
        token = session.scalar(select(RefreshToken)
                               .where(RefreshToken.token_hash == digest(refresh_token))
                               .with_for_update())
        refusal = _refusal(session, token, now)
        if refusal is None:
            grant, refresh = _rotate(session, identity, token, now)
    # Raised after the commit so that a family revoked on reuse stays revoked.
    if refusal is not None:
        raise invalid_grant(refusal)
    return _tokens(identity, grant, refresh)


def _rotate(session: Session, identity: Identity, token: RefreshToken,
            now: dt.datetime) -> tuple[Principal, str]:
    """Use ``token`` up; the grant as it stands now and the family's next refresh token."""
    token.used_at = now
    user = session.get(User, token.user_id)
    # A sign-in from before the user had any membership (e.g. just before their
    # provider registration was applied) takes up the first one granted since.
    membership = _membership_of(session, token) or _choose_membership(session, user.id, None)
    grant = _grant_for(user, membership)
    return grant, _issue_refresh(session, identity, user.id, membership, token.family_id, now)


def _refusal(session: Session, token: RefreshToken | None, now: dt.datetime) -> str | None:
    """Why ``token`` cannot be used (revoking its family where that is the answer)."""
    if token is None:
        return "unknown refresh token"
    if token.revoked_at is not None:
        return "the refresh token has been revoked"
    if token.used_at is not None:
        _revoke_family(session, token.family_id, now)
        return "the refresh token was already used; the sign-in has been revoked"
    if token.expires_at <= now:
        return "the refresh token has expired"
    membership = _membership_of(session, token)
    if membership is not None and not membership.active:
        _revoke_family(session, token.family_id, now)
        return "the membership this sign-in was for has been revoked"
    return None


def _membership_of(session: Session, token: RefreshToken) -> Membership | None:
    return session.get(Membership, token.membership_id) if token.membership_id else None


def _revoke_family(session: Session, family_id: str, now: dt.datetime) -> None:
    session.execute(update(RefreshToken)
                    .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
                    .values(revoked_at=now))


def client_credentials_grant(db: Database, identity: Identity, client_id: str,
                             client_secret: str) -> IssuedTokens:
    """A machine client's access token (no refresh token: it can simply ask again)."""
    with db.reading() as session:
        client = session.get(Client, client_id)
    if client is None or not secret_matches(client_secret, client.secret_hash):
        raise invalid_client()
    if client.revoked_at is not None:
        raise invalid_client("the client has been revoked")
    machine = Principal(client.id, client.role, client.org_id, client.org_type)
    return _tokens(identity, machine, None)


def revoke_refresh_token(db: Database, identity: Identity, refresh_token: str) -> None:
    """Revoke a refresh token and its family; unknown tokens are ignored (RFC 7009)."""
    with db.transaction() as session:
        token = session.scalar(select(RefreshToken)
                               .where(RefreshToken.token_hash == digest(refresh_token)))
        if token is not None:
            _revoke_family(session, token.family_id, identity.now())
