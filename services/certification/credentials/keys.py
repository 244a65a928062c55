"""The issuer's signing key, published as a JWKS and as a ``did:web`` DID document.

The key type is identity's ``shared.tokens.SigningKey`` (Ed25519, PKCS#8 PEM, RFC 7638
thumbprint as key id): one key format in the project, one way to load and rotate it.
What differs for credentials is the ``kid``: OB 3.0 says the JOSE header's ``kid`` is "a URI
that can be dereferenced to a JWK", so it is the DID URL ``<did>#<thumbprint>`` rather than
the bare thumbprint identity's access tokens carry.

``did:web`` (https://w3c-ccg.github.io/did-method-web/): the DID of
``https://host:5004/certification`` is ``did:web:host%3A5004:certification`` (the port's
colon percent-encoded, path segments joined by ``:``), and its document is served at
``https://host:5004/certification/did.json`` (``/.well-known/did.json`` without a path).
"""

from __future__ import annotations

import dataclasses
from typing import cast
from urllib.parse import quote, urlsplit

import jwt

from shared.tokens import SigningKey

#: The one algorithm our Ed25519 keys sign with (JWS ``alg``).
ALGORITHM = "EdDSA"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
JWK_CONTEXT = "https://w3id.org/security/suites/jws-2020/v1"


def did_web(base_url: str) -> str:
    """The ``did:web`` DID of the service at ``base_url`` (scheme ignored, as did:web resolves
    over https)."""
    parts = urlsplit(base_url)
    if not parts.hostname:
        raise ValueError(f"not an absolute URL: {base_url!r}")
    host = parts.hostname.lower()
    if parts.port is not None:
        host = f"{host}%3A{parts.port}"
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did:web", host, *segments])


def did_document_url(base_url: str) -> str:
    """Where a did:web resolver fetches the DID document of ``did_web(base_url)``."""
    root = base_url.rstrip("/")
    return f"{root}/did.json" if urlsplit(root).path else f"{root}/.well-known/did.json"


class IssuerKey(SigningKey):
    """An Ed25519 key that signs credentials with a caller-given JOSE header.

    A subclass rather than a copy so that loading (``from_pem``, ``generate``), the PEM form
    and the public JWK stay exactly identity's.
    """

    @classmethod
    def generate(cls) -> IssuerKey:
        """A fresh random key."""
        return cast(IssuerKey, super().generate())

    @classmethod
    def from_pem(cls, pem: str | bytes) -> IssuerKey:
        """Load a PKCS#8 PEM Ed25519 private key (identity's format)."""
        return cast(IssuerKey, super().from_pem(pem))

    @property
    def key_id(self) -> str:
        """The fragment of the DID URL: the RFC 7638 thumbprint."""
        return self.kid

    def sign_jws(self, payload: dict, headers: dict) -> str:
        """A compact JWS of ``payload`` with ``headers`` (``alg`` is always EdDSA)."""
        return jwt.encode(payload, self._private, algorithm=ALGORITHM, headers=headers)


@dataclasses.dataclass(frozen=True)
class Issuer:
    """Who issues: the service's DID, display name, and keys (current signs; previous stay
    published so credentials they signed keep verifying after a rotation)."""

    base_url: str
    key: IssuerKey
    name: str = "SCORE Marketplace"
    previous: tuple[IssuerKey, ...] = ()

    @property
    def did(self) -> str:
        """The issuer id in every credential (``issuer.id``) and the JWT ``iss``."""
        return did_web(self.base_url)

    def kid(self, key: IssuerKey | None = None) -> str:
        """The DID URL naming ``key`` (default: the current key)."""
        return f"{self.did}#{(key or self.key).key_id}"

    def public_jwk(self, key: IssuerKey | None = None) -> dict:
        """The public JWK of ``key`` with its DID URL as ``kid`` (never ``d``)."""
        return {**(key or self.key).public_jwk(), "kid": self.kid(key)}

    def _published(self) -> list[IssuerKey]:
        seen: dict[str, IssuerKey] = {self.key.kid: self.key}
        for key in self.previous:
            seen.setdefault(key.kid, key)
        return list(seen.values())

    def jwks(self) -> dict:
        """The JWKS document: current key first, then the previous ones."""
        return {"keys": [self.public_jwk(k) for k in self._published()]}

    def did_document(self) -> dict:
        """The DID document: each key a ``JsonWebKey2020`` verification method usable for
        ``assertionMethod`` (what a credential's proof is) – as in the did:web spec's
        example."""
        methods = [{"id": self.kid(k), "type": "JsonWebKey2020", "controller": self.did,
                    "publicKeyJwk": self.public_jwk(k)} for k in self._published()]
        ids = [m["id"] for m in methods]
        return {"@context": [DID_CONTEXT, JWK_CONTEXT], "id": self.did,
                "verificationMethod": methods, "assertionMethod": ids}
