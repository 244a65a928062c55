"""A credential as a JWT-VC, per the OB 3.0 "JSON Web Token Proof Format".

Source: 1EdTech/openbadges-specification ``ob_v3p0/integrity.md`` (section ``#jwt-proof``,
rendered at https://www.imsglobal.org/spec/ob/v3p0/#jwt-proof), which narrows VC-JOSE-COSE:

- JOSE header: ``alg`` (RS256 is the interoperable minimum, others permitted – we sign with
  EdDSA, and verify both), ``kid`` "a URI that can be dereferenced to a JWK" (our DID URL),
  ``typ`` "if present, MUST be JWT". "Additional JOSE Headers are NOT allowed", so the
  header is exactly those three (not VC-JOSE-COSE's ``vc+jwt``).
- JWT payload: *the credential object itself* (VC 2.0 style, no ``vc`` wrapper) plus
  ``iss`` = ``issuer.id``, ``jti`` = ``id``, ``sub`` = ``credentialSubject.id``,
  ``nbf`` = ``validFrom`` and ``exp`` = ``validUntil`` when there is one.
- A verifier must check those claims equal the credential's fields; VC 1.1 era tokens put
  the credential in a ``vc`` claim, which ``credential_of`` still reads.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import jwt

from services.certification.credentials.keys import Issuer, IssuerKey

JWT_TYPE = "JWT"
#: JWT registered claims we add around the credential (and strip when reading it back).
REGISTERED_CLAIMS = ("iss", "jti", "sub", "nbf", "exp", "iat", "aud")


class MalformedCredential(ValueError):
    """The token or the credential it carries is not of the expected form."""


def parse_datetime(value: Any) -> dt.datetime:
    """A VC ``dateTimeStamp`` (``...Z`` or with an offset) as an aware datetime."""
    if not isinstance(value, str):
        raise MalformedCredential(f"not a date-time string: {value!r}")
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise MalformedCredential(f"not a date-time: {value!r}") from exc
    if moment.tzinfo is None:
        raise MalformedCredential(f"date-time without a time zone: {value!r}")
    return moment


def numeric_date(value: str) -> int:
    """A credential date-time as a JWT NumericDate (whole seconds since the epoch)."""
    return int(parse_datetime(value).timestamp())


def issuer_id(credential: Mapping[str, Any]) -> str:
    """``issuer`` may be a URI or a Profile object."""
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(value, str):
        raise MalformedCredential("the credential has no issuer id")
    return value


def subject_id(credential: Mapping[str, Any]) -> str:
    """OB 3.0 credentials have one subject; ``sub`` names it."""
    subject = credential.get("credentialSubject")
    value = subject.get("id") if isinstance(subject, Mapping) else None
    if not isinstance(value, str):
        raise MalformedCredential("the credential subject has no id")
    return value


def claims_for(credential: Mapping[str, Any]) -> dict:
    """The JWT payload of ``credential``: the credential plus the claims the spec maps."""
    if not isinstance(credential.get("id"), str):
        raise MalformedCredential("the credential has no id")
    claims = {**credential, "iss": issuer_id(credential), "jti": credential["id"],
              "sub": subject_id(credential), "nbf": numeric_date(credential["validFrom"])}
    if "validUntil" in credential:
        claims["exp"] = numeric_date(credential["validUntil"])
    return claims


def sign(credential: Mapping[str, Any], issuer: Issuer, key: IssuerKey | None = None) -> str:
    """The compact JWS of ``credential`` signed by ``issuer``'s current key (or ``key``)."""
    if issuer_id(credential) != issuer.did:
        raise ValueError("the credential names another issuer")
    signer = key or issuer.key
    return signer.sign_jws(claims_for(credential),
                           headers={"kid": issuer.kid(signer), "typ": JWT_TYPE})


def _segment(token: str, index: int) -> dict:
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise MalformedCredential("not a compact JWS (three dot-separated parts)")
    try:
        value = json.loads(jwt.utils.base64url_decode(parts[index]))
    except (ValueError, TypeError) as exc:
        raise MalformedCredential("a JWS part is not base64url JSON") from exc
    if not isinstance(value, dict):
        raise MalformedCredential("a JWS part is not a JSON object")
    return value


def unverified_header(token: str) -> dict:
    """The JOSE header, not yet trusted."""
    return _segment(token, 0)


def unverified_claims(token: str) -> dict:
    """The JWT payload, not yet trusted (for display or debugging; ``verify`` for trust)."""
    return _segment(token, 1)


def credential_of(claims: Mapping[str, Any]) -> dict:
    """The credential a (verified) JWT payload carries: the ``vc`` claim of VC 1.1 era tokens,
    else the payload without the JWT registered claims."""
    wrapped = claims.get("vc")
    if isinstance(wrapped, Mapping):
        return dict(wrapped)
    return {k: v for k, v in claims.items() if k not in REGISTERED_CLAIMS}


def claim_mismatches(claims: Mapping[str, Any], credential: Mapping[str, Any]) -> list[str]:
    """Where the JWT claims disagree with the credential (OB 3.0 ``#jwt-verify-credential``);
    empty when they agree. Raises ``MalformedCredential`` when the credential lacks a field."""
    expected: dict[str, Any] = {"iss": issuer_id(credential), "jti": credential.get("id"),
                                "sub": subject_id(credential)}
    if "validFrom" not in credential:
        raise MalformedCredential("the credential has no validFrom")
    expected["nbf"] = numeric_date(credential["validFrom"])
    if "validUntil" in credential:
        expected["exp"] = numeric_date(credential["validUntil"])
    problems = [f"{name} is {claims.get(name)!r}, the credential says {value!r}"
                for name, value in expected.items() if claims.get(name) != value]
    if "exp" in claims and "validUntil" not in credential:
        problems.append("exp is set but the credential has no validUntil")
    return problems
