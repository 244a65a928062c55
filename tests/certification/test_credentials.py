"""Certification credentials: keys, DID document, OB 3.0 credentials against the official
schema, and the JWT-VC format checked by a second JOSE library (joserfc; PyJWT signs)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import jsonschema
import pytest
from joserfc import jwt as jose_jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from services.certification.credentials import badges, jwt_vc
from services.certification.credentials.keys import Issuer, IssuerKey, did_document_url, did_web
from shared.tokens import SigningKey

SCHEMA = Path(__file__).parent / "fixtures" / "ob_v3p0_achievementcredential.schema.json"
BASE = "http://localhost:5004"
LIST_URL = f"{BASE}/credentials/status/revocation/1"
NOW = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)
MODULE = badges.Module("M2", "Quality Management")
TRAINER = badges.Recipient.for_account("6f1c2a7e-0d3b-4e8a-9b5c-1a2b3c4d5e6f", "Siti Rahma")
PARTICIPANT = badges.Recipient.for_account("1e2d3c4b-5a69-4788-9900-aabbccddeeff", "Agus Salim")
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
PROVIDER = badges.Provider("urn:uuid:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "PT Mitra Pelatihan")

# RFC 9864 deprecates the polymorphic "EdDSA" for "Ed25519"; joserfc warns about it, but
# "EdDSA" is what PyJWT (2.15), identity's tokens and today's verifiers speak.
eddsa_deprecated = pytest.mark.filterwarnings(
    "ignore:EdDSA is deprecated:joserfc.errors.SecurityWarning")


@pytest.fixture(scope="module")
def issuer() -> Issuer:
    return Issuer(BASE, IssuerKey.generate())


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    # Every $ref in the official schema is local (#/$defs/...): no registry, no network.
    # jsonschema checks "date-time" only with rfc3339-validator installed; check it here.
    checker = jsonschema.FormatChecker()
    checker.checks("date-time", raises=ValueError)(_rfc3339)
    return cls(schema, format_checker=checker)


def _rfc3339(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not RFC3339.fullmatch(value):
        return False
    dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


def trainer_credential(issuer: Issuer, **kwargs) -> dict:
    return badges.trainer_certificate(issuer, TRAINER, MODULE, badges.StatusEntry(LIST_URL, 7),
                                      valid_from=NOW, **kwargs)


def participation_credential(issuer: Issuer, **kwargs) -> dict:
    return badges.participation_certificate(
        issuer, PARTICIPANT, MODULE, PROVIDER, badges.StatusEntry(LIST_URL, 8),
        session_start=NOW - dt.timedelta(days=30), session_end=NOW - dt.timedelta(days=2),
        valid_from=NOW, **kwargs)


# -- keys and DID -----------------------------------------------------------------------

def test_did_web_percent_encodes_the_port_and_joins_path_segments():
    assert did_web("http://localhost:5004") == "did:web:localhost%3A5004"
    assert did_web("https://score.example.id") == "did:web:score.example.id"
    assert did_web("https://Score.example.id:8443/certification/") == \
        "did:web:score.example.id%3A8443:certification"
    assert did_document_url("https://score.example.id") == \
        "https://score.example.id/.well-known/did.json"
    assert did_document_url("https://score.example.id/certification") == \
        "https://score.example.id/certification/did.json"


def test_the_issuer_key_is_identitys_key_type_and_round_trips_its_pem(issuer):
    assert isinstance(issuer.key, SigningKey)
    again = IssuerKey.from_pem(issuer.key.to_pem())
    assert isinstance(again, IssuerKey)
    assert again.public_jwk() == issuer.key.public_jwk()


def test_jwks_and_did_document_publish_the_public_key_under_its_did_url(issuer):
    old = IssuerKey.generate()
    rotated = Issuer(BASE, IssuerKey.generate(), previous=(old,))
    jwks = rotated.jwks()
    assert [k["kid"] for k in jwks["keys"]] == [rotated.kid(), rotated.kid(old)]
    assert rotated.kid() == f"did:web:localhost%3A5004#{rotated.key.kid}"
    assert all("d" not in k and k["kty"] == "OKP" and k["crv"] == "Ed25519"
               for k in jwks["keys"])
    document = rotated.did_document()
    assert document["id"] == "did:web:localhost%3A5004"
    assert document["assertionMethod"] == [rotated.kid(), rotated.kid(old)]
    method = document["verificationMethod"][0]
    assert method["controller"] == document["id"]
    assert method["publicKeyJwk"] == jwks["keys"][0]


# -- OB 3.0 credentials against the official schema ----------------------------------------

def test_a_trainer_certificate_validates_against_the_official_ob3_schema(issuer, validator):
    credential = trainer_credential(issuer, valid_until=NOW + dt.timedelta(days=3 * 365))
    validator.validate(credential)
    assert credential["@context"] == [badges.VC_CONTEXT, badges.OB_CONTEXT]
    assert credential["id"].startswith("urn:uuid:")
    assert credential["issuer"]["id"] == issuer.did
    assert credential["issuer"]["name"] == "SCORE Marketplace"
    assert credential["validFrom"] == "2025-03-01T09:30:00Z"
    subject = credential["credentialSubject"]
    assert subject["id"] == TRAINER.id
    assert subject["identifier"][0]["identityHash"] == "Siti Rahma"
    assert subject["achievement"]["name"] == "SCORE Trainer – Quality Management"
    assert "M2" in subject["achievement"]["criteria"]["narrative"]
    assert credential["credentialStatus"] == {
        "id": f"{LIST_URL}#7", "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation", "statusListIndex": "7",
        "statusListCredential": LIST_URL}


def test_a_participation_certificate_validates_against_the_official_ob3_schema(
        issuer, validator):
    credential = participation_credential(issuer)
    validator.validate(credential)
    subject = credential["credentialSubject"]
    assert subject["id"] == PARTICIPANT.id
    assert subject["source"]["name"] == "PT Mitra Pelatihan"
    assert subject["activityStartDate"] == "2025-01-30T09:30:00Z"
    assert subject["activityEndDate"] == "2025-02-27T09:30:00Z"
    achievement = subject["achievement"]
    assert "Quality Management" in achievement["name"]
    assert "PT Mitra Pelatihan" in achievement["description"]
    assert "2025-01-30" in achievement["description"]
    assert "validUntil" not in credential


def test_the_issuer_name_is_configurable(validator):
    named = Issuer(BASE, IssuerKey.generate(), name="ILO SCORE Indonesia")
    credential = trainer_credential(named)
    validator.validate(credential)
    assert credential["issuer"]["name"] == "ILO SCORE Indonesia"


def test_the_schema_check_is_real(issuer, validator):
    """A credential without validFrom, or with VC 1.1's context order, is refused."""
    credential = trainer_credential(issuer)
    without = {k: v for k, v in credential.items() if k != "validFrom"}
    assert not validator.is_valid(without)
    assert not validator.is_valid({**credential, "@context": credential["@context"][::-1]})
    assert not validator.is_valid({**credential, "type": ["VerifiableCredential"]})
    assert not validator.is_valid({**credential, "validFrom": "2025-03-01"})


def test_times_must_be_aware_and_ordered(issuer):
    with pytest.raises(ValueError):
        badges.trainer_certificate(issuer, TRAINER, MODULE, badges.StatusEntry(LIST_URL, 1),
                                   valid_from=NOW.replace(tzinfo=None))
    with pytest.raises(ValueError):
        trainer_credential(issuer, valid_until=NOW)


# -- JWT-VC ---------------------------------------------------------------------------------

def test_the_jwt_vc_header_and_claims_follow_the_ob3_jwt_proof_format(issuer):
    credential = trainer_credential(issuer, valid_until=NOW + dt.timedelta(days=365))
    token = jwt_vc.sign(credential, issuer)
    assert jwt_vc.unverified_header(token) == {"alg": "EdDSA", "typ": "JWT",
                                               "kid": issuer.kid()}
    claims = jwt_vc.unverified_claims(token)
    assert claims["iss"] == issuer.did
    assert claims["jti"] == credential["id"]
    assert claims["sub"] == TRAINER.id
    assert claims["nbf"] == int(NOW.timestamp())
    assert claims["exp"] == int((NOW + dt.timedelta(days=365)).timestamp())
    assert "vc" not in claims  # VC 2.0 / OB 3.0: the payload is the credential itself
    assert jwt_vc.credential_of(claims) == credential
    assert jwt_vc.claim_mismatches(claims, credential) == []


def test_a_credential_of_another_issuer_is_not_signed(issuer):
    other = Issuer("https://elsewhere.example", IssuerKey.generate())
    with pytest.raises(ValueError):
        jwt_vc.sign(trainer_credential(other), issuer)


@eddsa_deprecated
@pytest.mark.parametrize("build", [trainer_credential, participation_credential])
def test_joserfc_verifies_tokens_pyjwt_signed_with_the_published_jwks(issuer, build):
    credential = build(issuer)
    token = jwt_vc.sign(credential, issuer)
    published = KeySet.import_key_set(json.loads(json.dumps(issuer.jwks())))
    decoded = jose_jwt.decode(token, published, algorithms=["EdDSA"])
    assert decoded.header["kid"] == issuer.kid()
    assert jwt_vc.credential_of(decoded.claims) == credential


@eddsa_deprecated
def test_joserfc_refuses_a_token_signed_by_another_key_under_our_kid(issuer):
    impostor = IssuerKey.generate()
    forged = impostor.sign_jws(jwt_vc.claims_for(trainer_credential(issuer)),
                               headers={"kid": issuer.kid(), "typ": "JWT"})
    with pytest.raises(BadSignatureError):
        jose_jwt.decode(forged, KeySet.import_key_set(issuer.jwks()), algorithms=["EdDSA"])
