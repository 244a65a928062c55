"""Who is calling: JWT verification against identity's JWKS, roles, tenant scoping.

Every service verifies access tokens locally. Keys come from identity's JWKS
(cached; an unknown ``kid`` triggers one refetch, which is how rotation is
picked up). The ILO auditor reads everything and writes nothing: any unsafe
method from that role is refused before a view runs.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable
from typing import Any

import jwt
from flask import current_app, g, request
from flask_smorest import Blueprint
from sqlalchemy import Select, false

from shared.errors import Forbidden, NotFound, Unauthorized

ROLES = ("provider_staff", "sme_user", "sponsor_staff", "trainer", "ilo_auditor",
         "platform_admin", "service")
READ_ALL_ROLES = frozenset({"ilo_auditor", "platform_admin", "service"})
ALGORITHMS = ["EdDSA", "RS256"]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclasses.dataclass(frozen=True)
class Principal:
    """The authenticated caller: a user (or machine client) acting for one organisation."""

    subject: str
    role: str
    org: str | None = None
    org_type: str | None = None

    @property
    def reads_everything(self) -> bool:
        """Auditors, admins and internal services are not confined to one tenant."""
        return self.role in READ_ALL_ROLES

    def acts_for(self, org_id: str | None) -> bool:
        """True when this caller belongs to organisation ``org_id``."""
        return org_id is not None and self.org == org_id


class TokenVerifier:
    """Verifies access tokens with keys from a JWKS URL or a static JWKS document.

    A token that verified is remembered until it expires (at most
    :data:`VERIFIED_CACHE_SIZE` of them): a client sends the same short-lived token
    with every request, and the signature check and claim parsing are a large share
    of a small request's cost. Only the exact token string that passed every check is
    remembered, so a cached answer is the answer a fresh check would give – tokens
    are not revocable before they expire either way.
    """

    VERIFIED_CACHE_SIZE = 4096

    def __init__(self, issuer: str, audience: str, *, jwks_url: str | None = None,
                 jwks: dict | None = None, leeway_s: int = 5,
                 refetch_cooldown_s: float = 30) -> None:
        self.issuer = issuer
        self.audience = audience
        self.leeway_s = leeway_s
        if not jwks and not jwks_url:
            raise ValueError("a JWKS document or a JWKS URL is required")
        self._static = jwt.PyJWKSet.from_dict(jwks) if jwks else None
        # An unknown kid refetches the JWKS (rotation), at most once per cooldown so
        # a flood of forged kids cannot hammer identity.
        self._client = jwt.PyJWKClient(
            jwks_url, cache_keys=True, lifespan=300, timeout=5,
            cooldown_duration=refetch_cooldown_s) if jwks_url and not jwks else None
        self._verified: dict[str, tuple[Principal, float]] = {}

    def _key_for(self, token: str):
        kid = jwt.get_unverified_header(token).get("kid")
        if self._static is not None:
            for key in self._static.keys:
                if key.key_id == kid:
                    return key
            raise jwt.InvalidTokenError("unknown signing key")
        if self._client is None or not kid:
            raise jwt.InvalidTokenError("the token names no signing key")
        return self._client.get_signing_key(kid)

    def verify(self, token: str) -> Principal:
        """The token's principal, or :class:`Unauthorized` for any defect."""
        remembered = self._verified.get(token)
        if remembered is not None and time.time() < remembered[1]:
            return remembered[0]
        principal, expires = self._check(token)
        if len(self._verified) >= self.VERIFIED_CACHE_SIZE:
            self._verified.clear()  # rare: a fresh start costs one check per live token
        self._verified[token] = (principal, expires)
        return principal

    def _check(self, token: str) -> tuple[Principal, float]:
        try:
            key = self._key_for(token)
            claims = jwt.decode(
                token, key=key, algorithms=ALGORITHMS, audience=self.audience,
                issuer=self.issuer, leeway=self.leeway_s,
                options={"require": ["exp", "iat", "sub", "role"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("the access token has expired") from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthorized(f"invalid access token: {exc}") from exc
        if claims.get("typ", "access") != "access" or claims["role"] not in ROLES:
            raise Unauthorized("not an access token")
        principal = Principal(claims["sub"], claims["role"], claims.get("org"),
                              claims.get("org_type"))
        # Remembered until the token expires, as decode() judged it (its leeway included).
        return principal, float(claims["exp"]) + self.leeway_s


def init_auth(app, verifier: TokenVerifier | None = None) -> None:
    """Attach a verifier (from settings unless given) and the auditor write guard.

    With neither ``SCORE_JWKS_URL`` nor a static JWKS no verifier is attached: the
    service publishing the keys attaches its own (its ``on_init``); for any other
    the app factory refuses to start.
    """
    settings = app.extensions["score_settings"]
    if verifier is None and (settings.jwks_url or settings.get("jwks")):
        verifier = TokenVerifier(settings.token_issuer, settings.token_audience,
                                 jwks_url=settings.jwks_url, jwks=settings.get("jwks"))
    if verifier is not None:
        app.extensions["score_auth"] = verifier
    app.before_request(_refuse_auditor_writes)


def _refuse_auditor_writes() -> None:
    scheme = request.headers.get("Authorization", "").partition(" ")[0]
    # Only bearer tokens can carry the auditor role; other schemes (e.g. OAuth
    # clients' HTTP Basic at identity's token endpoint) are the view's business.
    if request.method in SAFE_METHODS or scheme.lower() != "bearer":
        return
    principal = current_principal()
    if principal is not None and principal.role == "ilo_auditor":
        raise Forbidden("the ILO auditor has read-only access")


def current_principal() -> Principal | None:
    """The caller of this request, or ``None`` when no token was sent."""
    if "score_principal" not in g:
        header = request.headers.get("Authorization", "")
        if not header:
            g.score_principal = None
        else:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("use an 'Authorization: Bearer <token>' header")
            g.score_principal = current_app.extensions["score_auth"].verify(token.strip())
    return g.score_principal


def require_principal() -> Principal:
    """The caller, or :class:`Unauthorized` when anonymous."""
    principal = current_principal()
    if principal is None:
        raise Unauthorized("authentication required")
    return principal


def roles_required(*roles: str) -> Callable:
    """Decorator: only callers with one of ``roles`` may call the view.

    The OpenAPI document says so too: the operation needs a bearer token and lists
    the roles as ``x-roles`` (clients and the contract tests read them).
    """
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            principal = require_principal()
            if principal.role not in roles:
                raise Forbidden(f"role {principal.role!r} may not do this")
            return view(*args, **kwargs)

        return Blueprint.doc(**{"x-roles": list(roles),
                                "security": [{"bearerAuth": []}]})(wrapper)

    return decorator


def scope_to_tenant(query: Select, org_column, principal: Principal | None) -> Select:
    """Limit ``query`` to the caller's own organisation's rows (auditors see all)."""
    if principal is not None and principal.reads_everything:
        return query
    if principal is None or principal.org is None:
        return query.where(false())
    return query.where(org_column == principal.org)


def ensure_tenant(principal: Principal, org_id: str, *, write: bool = False) -> None:
    """Refuse access to another tenant's row; foreign rows look absent (404)."""
    if principal.acts_for(org_id):
        return
    if principal.reads_everything and not (write and principal.role == "ilo_auditor"):
        return
    raise NotFound("no such resource")
