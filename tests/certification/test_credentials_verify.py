"""verify(): each reason a credential fails, and tokens signed by another JOSE library."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from joserfc import jwt as jose_jwt
from joserfc.jwk import OKPKey, RSAKey

from services.certification.credentials import badges, jwt_vc
from services.certification.credentials.keys import Issuer, IssuerKey
from services.certification.credentials.status_list import (
    StatusList,
    list_credential,
    sign_list_credential,
)
from services.certification.credentials.verify import (
    PublishedList,
    Reason,
    StatusUnavailable,
    load_list,
    verify,
)

BASE = "http://localhost:5004"
LIST_URL = f"{BASE}/credentials/status/revocation/1"
SUSPENSIONS_URL = f"{BASE}/credentials/status/suspension/1"
NOW = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
MODULE = badges.Module("M1", "Workplace Cooperation")
TRAINER = badges.Recipient.for_account("6f1c2a7e-0d3b-4e8a-9b5c-1a2b3c4d5e6f", "Siti Rahma")

eddsa_deprecated = pytest.mark.filterwarnings(
    "ignore:EdDSA is deprecated:joserfc.errors.SecurityWarning")


class Published:
    """The issuer's side: one revocation list, one suspension list, signed on every fetch
    and loaded back as a verifier would (a real service caches ``load_list``'s result)."""

    def __init__(self, issuer: Issuer) -> None:
        self.issuer = issuer
        self.lists = {LIST_URL: ("revocation", StatusList()),
                      SUSPENSIONS_URL: ("suspension", StatusList())}
        self.fetches: list[str] = []

    def __call__(self, url: str) -> PublishedList:
        self.fetches.append(url)
        if url not in self.lists:
            raise StatusUnavailable(f"404 {url}")
        purpose, bits = self.lists[url]
        token = sign_list_credential(
            list_credential(self.issuer, url, bits, purpose=purpose, valid_from=NOW - DAY),
            self.issuer)
        return load_list(token, self.issuer.jwks())


@pytest.fixture
def issuer() -> Issuer:
    return Issuer(BASE, IssuerKey.generate())


@pytest.fixture
def published(issuer) -> Published:
    return Published(issuer)


def credential(issuer: Issuer, index: int = 7, *, url: str = LIST_URL,
               purpose: str = "revocation", **kwargs) -> dict:
    kwargs.setdefault("valid_from", NOW)
    return badges.trainer_certificate(issuer, TRAINER, MODULE,
                                      badges.StatusEntry(url, index, purpose), **kwargs)


def test_a_fresh_credential_is_valid(issuer, published):
    issued = credential(issuer, valid_until=NOW + 365 * DAY)
    result = verify(jwt_vc.sign(issued, issuer), issuer.jwks(), published, NOW)
    assert result.valid
    assert result.reasons == []
    assert result.credential == issued
    assert published.fetches == [LIST_URL]


def test_a_revoked_credential_reports_revoked_and_its_neighbours_stay_valid(issuer, published):
    revoked, neighbour = credential(issuer, 7), credential(issuer, 8)
    published.lists[LIST_URL][1].set(7)
    result = verify(jwt_vc.sign(revoked, issuer), issuer.jwks(), published, NOW)
    assert not result.valid
    assert result.reasons == [Reason.REVOKED]
    assert "index 7" in result.details[0]
    assert verify(jwt_vc.sign(neighbour, issuer), issuer.jwks(), published, NOW).valid


def test_a_suspended_credential_reports_suspended_until_lifted(issuer, published):
    token = jwt_vc.sign(credential(issuer, 3, url=SUSPENSIONS_URL, purpose="suspension"),
                        issuer)
    published.lists[SUSPENSIONS_URL][1].set(3)
    assert verify(token, issuer.jwks(), published, NOW).reasons == [Reason.SUSPENDED]
    published.lists[SUSPENSIONS_URL][1].clear(3)
    assert verify(token, issuer.jwks(), published, NOW).valid


def test_expired_and_not_yet_valid(issuer, published):
    token = jwt_vc.sign(credential(issuer, valid_until=NOW + 30 * DAY), issuer)
    assert verify(token, issuer.jwks(), published, NOW - dt.timedelta(seconds=1)).reasons == \
        [Reason.NOT_YET_VALID]
    assert verify(token, issuer.jwks(), published, NOW + 30 * DAY).reasons == [Reason.EXPIRED]
    assert verify(token, issuer.jwks(), published, NOW + 30 * DAY - dt.timedelta(seconds=1)
                  ).valid


def test_every_failing_check_is_reported(issuer, published):
    token = jwt_vc.sign(credential(issuer, valid_until=NOW + DAY), issuer)
    published.lists[LIST_URL][1].set(7)
    assert verify(token, issuer.jwks(), published, NOW + 2 * DAY).reasons == \
        [Reason.EXPIRED, Reason.REVOKED]


def _tamper(token: str, change) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    change(claims)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


def test_a_tampered_payload_fails_the_signature(issuer, published):
    token = jwt_vc.sign(credential(issuer), issuer)

    def rename(claims):
        claims["credentialSubject"]["achievement"]["name"] = "SCORE Master Trainer"

    result = verify(_tamper(token, rename), issuer.jwks(), published, NOW)
    assert result.reasons == [Reason.SIGNATURE_INVALID]
    assert result.credential is None  # nothing unsigned is handed out
    assert published.fetches == []


def test_a_token_signed_by_another_key_under_our_kid_fails_the_signature(issuer, published):
    forged = IssuerKey.generate().sign_jws(jwt_vc.claims_for(credential(issuer)),
                                           headers={"kid": issuer.kid(), "typ": "JWT"})
    assert verify(forged, issuer.jwks(), published, NOW).reasons == [Reason.SIGNATURE_INVALID]


def test_unknown_issuer_key(issuer, published):
    token = jwt_vc.sign(credential(issuer), issuer)
    stranger = Issuer(BASE, IssuerKey.generate())
    assert verify(token, stranger.jwks(), published, NOW).reasons == \
        [Reason.UNKNOWN_ISSUER_KEY]


def test_a_rotated_out_key_still_verifies_while_published(issuer, published):
    token = jwt_vc.sign(credential(issuer), issuer)
    rotated = Issuer(BASE, IssuerKey.generate(), previous=(issuer.key,))
    assert verify(token, rotated.jwks(), published, NOW).valid


def test_a_key_is_only_trusted_for_the_did_its_kid_names(issuer, published):
    """Another issuer's published key signing a credential that claims to be ours."""
    other = Issuer("https://elsewhere.example", IssuerKey.generate())
    claims = jwt_vc.claims_for(credential(issuer))
    token = other.key.sign_jws(claims, headers={"kid": other.kid(), "typ": "JWT"})
    keys = issuer.jwks()["keys"] + other.jwks()["keys"]
    assert verify(token, keys, published, NOW).reasons == [Reason.UNKNOWN_ISSUER_KEY]


@pytest.mark.parametrize("token", [
    "", "not-a-jwt", "a.b", "a.b.c.d", "e30.e30.", "eyJhbGciOiJub25lIn0.e30.",
])
def test_malformed_tokens(issuer, published, token):
    result = verify(token, issuer.jwks(), published, NOW)
    assert result.reasons == [Reason.MALFORMED]
    assert not result.valid


def test_a_signed_token_that_is_not_an_ob_credential_is_malformed(issuer, published):
    token = issuer.key.sign_jws({"iss": issuer.did, "sub": "x", "type": ["Something"]},
                                headers={"kid": issuer.kid(), "typ": "JWT"})
    assert verify(token, issuer.jwks(), published, NOW).reasons == [Reason.MALFORMED]


def test_claims_disagreeing_with_the_credential(issuer, published):
    claims = jwt_vc.claims_for(credential(issuer))
    claims["sub"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
    token = issuer.key.sign_jws(claims, headers={"kid": issuer.kid(), "typ": "JWT"})
    result = verify(token, issuer.jwks(), published, NOW)
    assert result.reasons == [Reason.CLAIMS_MISMATCH]
    assert "sub" in result.details[0]


@pytest.mark.parametrize("index", [7, "-1", " 7", "7.0", None])
def test_a_malformed_status_entry_is_malformed(issuer, published, index):
    claims = jwt_vc.claims_for(credential(issuer))
    claims["credentialStatus"]["statusListIndex"] = index
    token = issuer.key.sign_jws(claims, headers={"kid": issuer.kid(), "typ": "JWT"})
    assert verify(token, issuer.jwks(), published, NOW).reasons == [Reason.MALFORMED]


def test_status_unavailable(issuer, published):
    unlisted = jwt_vc.sign(credential(issuer, url=f"{BASE}/credentials/status/gone"), issuer)
    assert verify(unlisted, issuer.jwks(), published, NOW).reasons == \
        [Reason.STATUS_UNAVAILABLE]
    wrong_purpose = jwt_vc.sign(credential(issuer, url=SUSPENSIONS_URL), issuer)
    assert verify(wrong_purpose, issuer.jwks(), published, NOW).reasons == \
        [Reason.STATUS_UNAVAILABLE]
    token = jwt_vc.sign(credential(issuer), issuer)
    assert verify(token, issuer.jwks(), None, NOW).reasons == [Reason.STATUS_UNAVAILABLE]


def test_an_expired_status_list_is_unavailable(issuer):
    token = sign_list_credential(list_credential(issuer, LIST_URL, StatusList(),
                                                 valid_from=NOW - DAY, valid_until=NOW),
                                 issuer)
    stale = load_list(token, issuer.jwks())
    result = verify(jwt_vc.sign(credential(issuer), issuer), issuer.jwks(),
                    lambda url: stale, NOW + dt.timedelta(seconds=1))
    assert result.reasons == [Reason.STATUS_UNAVAILABLE]


# -- tokens signed by joserfc, verified by verify() -----------------------------------------

@eddsa_deprecated
def test_verify_accepts_an_eddsa_token_signed_by_joserfc(issuer, published):
    key = OKPKey.generate_key("Ed25519", parameters={"kid": f"{issuer.did}#joserfc-ed"})
    issued = credential(issuer)
    token = jose_jwt.encode({"alg": "EdDSA", "kid": key.kid, "typ": "JWT"},
                            jwt_vc.claims_for(issued), key, algorithms=["EdDSA"])
    jwks = {"keys": [key.as_dict(private=False)]}
    result = verify(token, jwks, published, NOW)
    assert result.valid, result.details
    assert result.credential == issued


def test_verify_accepts_an_rs256_token_signed_by_joserfc(issuer, published):
    key = RSAKey.generate_key(2048, parameters={"kid": f"{issuer.did}#joserfc-rsa"})
    issued = credential(issuer, valid_until=NOW + DAY)
    token = jose_jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"},
                            jwt_vc.claims_for(issued), key)
    jwks = {"keys": [key.as_dict(private=False)]}
    assert verify(token, jwks, published, NOW).valid
    assert verify(token, jwks, published, NOW + DAY).reasons == [Reason.EXPIRED]
    # An RSA key is never used for an EdDSA header, nor the other way round.
    assert verify(jwt_vc.sign(issued, issuer),
                  {"keys": [{**key.as_dict(private=False), "kid": issuer.kid()}]},
                  published, NOW).reasons == [Reason.UNKNOWN_ISSUER_KEY]
