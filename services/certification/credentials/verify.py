"""Verify a JWT-VC: signature, claims, validity window and status, saying why it fails.

The order is OB 3.0's verification (``ob_v3p0/verification.md``): proof first – nothing in an
unsigned payload is believed, so a bad signature or an unknown key stops there with no
credential – then the time window and the status. Past the signature every failing check
adds its reason, so a credential both expired and revoked reports both.

Keys are the issuer's *published* keys (a JWKS, or a list of JWKs), matched by the header's
``kid``; a key is only trusted for the DID its ``kid`` names, so another issuer's key cannot
vouch for a credential claiming to be ours. EdDSA (what we sign with) and RS256 (OB 3.0's
interoperable minimum) are accepted, each only with its own key type.

Status lists come through ``status_lists(url) -> PublishedList`` so the service decides how
to fetch and cache them (the list is a signed credential with a ``ttl``; ``load_list`` checks
and decodes one). A list that cannot be had, is not validly signed, has another purpose,
has expired or does not reach the index is STATUS_UNAVAILABLE: the credential is then not
shown as valid, but not called revoked either.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import jwt

from services.certification.credentials import jwt_vc
from services.certification.credentials.badges import STATUS_ENTRY_TYPE
from services.certification.credentials.status_list import (
    LIST_CREDENTIAL_TYPE,
    LIST_TYPE,
    StatusList,
    StatusListError,
)

#: JWS algorithm -> the JWK key type ("kty", "crv") that may verify it.
ALGORITHMS: dict[str, tuple[str, str | None]] = {"EdDSA": ("OKP", "Ed25519"),
                                                  "RS256": ("RSA", None)}
CREDENTIAL_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})


class Reason(enum.StrEnum):
    """Why a credential is not valid (stable codes for APIs and logs)."""

    MALFORMED = "MALFORMED"
    UNKNOWN_ISSUER_KEY = "UNKNOWN_ISSUER_KEY"
    SIGNATURE_INVALID = "SIGNATURE_INVALID"
    CLAIMS_MISMATCH = "CLAIMS_MISMATCH"
    NOT_YET_VALID = "NOT_YET_VALID"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"
    SUSPENDED = "SUSPENDED"
    STATUS_UNAVAILABLE = "STATUS_UNAVAILABLE"


@dataclasses.dataclass(frozen=True)
class Verification:
    """The outcome: ``valid`` when there is no reason; ``details`` says more, in English, for
    each reason (same order); ``credential`` is the signed credential (None when the signature
    could not be checked: an unverified payload is not handed out)."""

    valid: bool
    reasons: list[Reason]
    credential: dict | None = None
    details: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class PublishedList:
    """A status list credential, verified and decoded (what a cache keeps)."""

    url: str
    purpose: frozenset[str]
    bits: StatusList
    valid_until: dt.datetime | None = None


class StatusUnavailable(Exception):
    """``status_lists`` raises this (or any ``LookupError``/``OSError``) when it cannot
    produce the list."""


KeySource = Mapping[str, Any] | Iterable[Mapping[str, Any]]
StatusLists = Callable[[str], PublishedList]


class _Failure(Exception):
    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def _jwks(keys: KeySource) -> list[Mapping[str, Any]]:
    if isinstance(keys, Mapping):
        found = keys.get("keys", [])
        return [k for k in found if isinstance(k, Mapping)] if isinstance(found, list) else []
    return [k for k in keys if isinstance(k, Mapping)]


def _verified_claims(token: str, keys: KeySource) -> dict:
    """The payload of ``token`` after its signature checks out against ``keys``."""
    try:
        header = jwt_vc.unverified_header(token)
        claims = jwt_vc.unverified_claims(token)
    except jwt_vc.MalformedCredential as exc:
        raise _Failure(Reason.MALFORMED, str(exc)) from exc
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in ALGORITHMS:
        raise _Failure(Reason.MALFORMED, f"algorithm {alg!r} is not accepted")
    if header.get("typ", "JWT") != jwt_vc.JWT_TYPE:
        raise _Failure(Reason.MALFORMED, f"typ {header.get('typ')!r} is not JWT")
    if not isinstance(kid, str):
        raise _Failure(Reason.UNKNOWN_ISSUER_KEY, "the header names no key (kid)")
    jwk = next((k for k in _jwks(keys) if k.get("kid") == kid), None)
    if jwk is None:
        raise _Failure(Reason.UNKNOWN_ISSUER_KEY, f"no published key {kid!r}")
    if "#" in kid and kid.split("#", 1)[0] != claims.get("iss"):
        raise _Failure(Reason.UNKNOWN_ISSUER_KEY,
                       f"key {kid!r} does not belong to issuer {claims.get('iss')!r}")
    kty, crv = ALGORITHMS[alg]
    if jwk.get("kty") != kty or (crv and jwk.get("crv") != crv) or "d" in jwk:
        raise _Failure(Reason.UNKNOWN_ISSUER_KEY, f"key {kid!r} is not a public {alg} key")
    try:
        public = jwt.PyJWK(dict(jwk), algorithm=alg)
        # Time claims are checked below, against the caller's ``now`` and with their own codes.
        return jwt.decode(token, public.key, algorithms=[alg],
                          options={"verify_exp": False, "verify_nbf": False,
                                   "verify_iat": False, "verify_aud": False})
    except jwt.InvalidSignatureError as exc:
        raise _Failure(Reason.SIGNATURE_INVALID, "the signature does not verify") from exc
    except (jwt.PyJWKError, jwt.InvalidTokenError) as exc:
        raise _Failure(Reason.MALFORMED, f"token rejected: {exc}") from exc


def _window(claims: Mapping[str, Any], credential: Mapping[str, Any],
            now: dt.datetime) -> list[tuple[Reason, str]]:
    found = []
    mismatches = jwt_vc.claim_mismatches(claims, credential)
    if mismatches:
        found.append((Reason.CLAIMS_MISMATCH, "; ".join(mismatches)))
    valid_from = jwt_vc.parse_datetime(credential["validFrom"])
    if now < valid_from:
        found.append((Reason.NOT_YET_VALID, f"valid from {credential['validFrom']}"))
    if "validUntil" in credential and now >= jwt_vc.parse_datetime(credential["validUntil"]):
        found.append((Reason.EXPIRED, f"expired at {credential['validUntil']}"))
    return found


def _status(credential: Mapping[str, Any], status_lists: StatusLists | None,
            now: dt.datetime) -> list[tuple[Reason, str]]:
    entries = credential.get("credentialStatus")
    if entries is None:
        return []
    found: list[tuple[Reason, str]] = []
    for entry in entries if isinstance(entries, list) else [entries]:
        if not isinstance(entry, Mapping) or entry.get("type") != STATUS_ENTRY_TYPE:
            found.append((Reason.STATUS_UNAVAILABLE, "unsupported credentialStatus entry"))
            continue
        url, purpose = entry.get("statusListCredential"), entry.get("statusPurpose")
        raw = entry.get("statusListIndex")  # "an integer ... expressed as a string in base 10"
        index = int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() else -1
        if not isinstance(url, str) or not isinstance(purpose, str) or index < 0:
            found.append((Reason.MALFORMED, "malformed BitstringStatusListEntry"))
            continue
        if status_lists is None:
            found.append((Reason.STATUS_UNAVAILABLE, f"no status list source for {url}"))
            continue
        try:
            published = status_lists(url)
        except (StatusUnavailable, LookupError, OSError, ValueError) as exc:
            found.append((Reason.STATUS_UNAVAILABLE, f"status list {url}: {exc}"))
            continue
        if published.url != url or purpose not in published.purpose:
            found.append((Reason.STATUS_UNAVAILABLE,
                          f"status list {url} does not serve purpose {purpose!r}"))
        elif published.valid_until is not None and now >= published.valid_until:
            found.append((Reason.STATUS_UNAVAILABLE, f"status list {url} has expired"))
        elif index >= len(published.bits):
            found.append((Reason.STATUS_UNAVAILABLE, f"index {index} outside list {url}"))
        elif published.bits.get(index):
            if purpose == "revocation":
                found.append((Reason.REVOKED, f"revoked (list {url}, index {index})"))
            elif purpose == "suspension":
                found.append((Reason.SUSPENDED, f"suspended (list {url}, index {index})"))
    return found


def verify(token: str, keys: KeySource, status_lists: StatusLists | None,
           now: dt.datetime) -> Verification:
    """Verify an OpenBadgeCredential JWT-VC at time ``now`` (aware)."""
    try:
        claims = _verified_claims(token, keys)
    except _Failure as failure:
        return Verification(False, [failure.reason], None, [failure.detail])
    credential = jwt_vc.credential_of(claims)
    types = credential.get("type")
    if (not isinstance(types, list) or "VerifiableCredential" not in types
            or not CREDENTIAL_TYPES.intersection(types)):
        return Verification(False, [Reason.MALFORMED], credential,
                            ["not a VerifiableCredential of type OpenBadgeCredential"])
    try:
        found = _window(claims, credential, now) + _status(credential, status_lists, now)
    except (jwt_vc.MalformedCredential, KeyError) as exc:
        found = [(Reason.MALFORMED, f"credential: {exc}")]
    return Verification(not found, [r for r, _ in found], credential, [d for _, d in found])


def load_list(token: str, keys: KeySource, *, minimum: int | None = None) -> PublishedList:
    """Check a published status list JWT-VC and decode it (for ``status_lists`` callables and
    their caches). Raises ``StatusUnavailable`` saying why it cannot be used."""
    try:
        claims = _verified_claims(token, keys)
    except _Failure as failure:
        raise StatusUnavailable(f"{failure.reason}: {failure.detail}") from failure
    credential = jwt_vc.credential_of(claims)
    subject = credential.get("credentialSubject")
    if (LIST_CREDENTIAL_TYPE not in (credential.get("type") or [])
            or not isinstance(subject, Mapping) or subject.get("type") != LIST_TYPE):
        raise StatusUnavailable("not a BitstringStatusListCredential")
    purposes = subject.get("statusPurpose")
    purpose = frozenset([purposes] if isinstance(purposes, str) else purposes or [])
    try:
        bits = (StatusList.decode(subject.get("encodedList", "")) if minimum is None
                else StatusList.decode(subject.get("encodedList", ""), minimum=minimum))
        valid_until = (jwt_vc.parse_datetime(credential["validUntil"])
                       if "validUntil" in credential else None)
    except (StatusListError, jwt_vc.MalformedCredential) as exc:
        raise StatusUnavailable(str(exc)) from exc
    if not isinstance(credential.get("id"), str):
        raise StatusUnavailable("the status list credential has no id")
    return PublishedList(credential["id"], purpose, bits, valid_until)
