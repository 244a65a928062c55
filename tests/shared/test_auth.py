"""Token verification against a JWKS URL: cached keys, rotation picked up, strangers refused."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shared.auth import TokenVerifier
from shared.errors import Unauthorized
from shared.tokens import SigningKey, access_claims, jwks
from tests.support.apps import AUDIENCE, ISSUER


class JwksServer:
    """identity's JWKS endpoint, played by a tiny HTTP server on 127.0.0.1."""

    def __init__(self, *keys: SigningKey) -> None:
        self.document = jwks(*keys)
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.fetches += 1
                body = json.dumps(outer.document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/.well-known/jwks.json"
        # A short poll: shutdown() waits for the loop to look (0.5 s by default).
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def token(key: SigningKey, role: str = "sme_user") -> str:
    return key.sign(access_claims(issuer=ISSUER, audience=AUDIENCE, subject="u", role=role,
                                  org="org-a", org_type="sme"))


@pytest.fixture
def old_key():
    return SigningKey.generate()


@pytest.fixture
def jwks_server(old_key):
    server = JwksServer(old_key)
    yield server
    server.close()


def test_keys_are_fetched_once_and_cached(jwks_server, old_key):
    verifier = TokenVerifier(ISSUER, AUDIENCE, jwks_url=jwks_server.url)
    for _ in range(5):
        assert verifier.verify(token(old_key)).org == "org-a"
    assert jwks_server.fetches == 1


def test_a_token_signed_by_a_rotated_in_key_is_accepted_after_one_refetch(jwks_server,
                                                                        old_key):
    verifier = TokenVerifier(ISSUER, AUDIENCE, jwks_url=jwks_server.url, refetch_cooldown_s=0)
    verifier.verify(token(old_key))
    new_key = SigningKey.generate()
    jwks_server.document = jwks(new_key, old_key)
    assert verifier.verify(token(new_key, role="trainer")).role == "trainer"
    assert verifier.verify(token(old_key)).role == "sme_user"
    assert jwks_server.fetches == 2


def test_a_token_from_a_key_identity_never_published_is_refused(jwks_server, old_key):
    verifier = TokenVerifier(ISSUER, AUDIENCE, jwks_url=jwks_server.url)
    with pytest.raises(Unauthorized):
        verifier.verify(token(SigningKey.generate()))


@pytest.mark.parametrize("claims", [
    {"aud": "someone-else"}, {"iss": "not-identity"}, {"typ": "refresh"}, {"role": "emperor"},
])
def test_tokens_for_another_audience_issuer_purpose_or_role_are_refused(jwks_server, old_key,
                                                                       claims):
    body = access_claims(issuer=ISSUER, audience=AUDIENCE, subject="u", role="sme_user")
    body.update(claims)
    verifier = TokenVerifier(ISSUER, AUDIENCE, jwks_url=jwks_server.url)
    with pytest.raises(Unauthorized):
        verifier.verify(old_key.sign(body))


def test_an_unsigned_token_is_refused(jwks_server):
    import jwt

    unsigned = jwt.encode(access_claims(issuer=ISSUER, audience=AUDIENCE, subject="u",
                                        role="platform_admin"), key=None, algorithm="none")
    verifier = TokenVerifier(ISSUER, AUDIENCE, jwks_url=jwks_server.url)
    with pytest.raises(Unauthorized):
        verifier.verify(unsigned)


def test_a_flood_of_unknown_keys_refetches_the_jwks_at_most_once_per_cooldown(jwks_server,
                                                                            old_key):
    verifier = TokenVerifier(ISSUER, AUDIENCE, jwks_url=jwks_server.url)
    verifier.verify(token(old_key))
    for _ in range(20):
        with pytest.raises(Unauthorized):
            verifier.verify(token(SigningKey.generate()))
    assert jwks_server.fetches == 1, "unknown kids within the cooldown must not refetch"


def test_a_remembered_token_is_refused_once_it_expires():
    import time

    key = SigningKey.generate()
    verifier = TokenVerifier(ISSUER, AUDIENCE, jwks=jwks(key), leeway_s=0)
    claims = access_claims(issuer=ISSUER, audience=AUDIENCE, subject="u", role="sme_user",
                           org="org-a", org_type="sme")
    claims["exp"] = int(time.time()) + 1
    short = key.sign(claims)
    assert verifier.verify(short).subject == "u"
    assert verifier.verify(short).subject == "u"  # answered from memory
    time.sleep(2.1)
    with pytest.raises(Unauthorized, match="expired"):
        verifier.verify(short)


def test_only_the_exact_verified_token_is_remembered():
    key, stranger = SigningKey.generate(), SigningKey.generate()
    verifier = TokenVerifier(ISSUER, AUDIENCE, jwks=jwks(key))
    good = token(key)
    verifier.verify(good)
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    for bad in (forged, token(stranger), good + "x"):
        with pytest.raises(Unauthorized):
            verifier.verify(bad)
