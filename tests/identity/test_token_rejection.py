"""A protected endpoint refuses every defective access token with a 401 problem."""

import base64
import datetime as dt
import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.tokens import SigningKey, access_claims
from tests.support.apps import AUDIENCE, ISSUER


def _claims(**overrides):
    claims = access_claims(issuer=ISSUER, audience=AUDIENCE, subject="user-1",
                           role="platform_admin", org="platform", org_type="ilo")
    claims.update(overrides)
    return claims


def _b64(data: dict) -> str:
    plain = {k: int(v.timestamp()) if isinstance(v, dt.datetime) else v for k, v in data.items()}
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).rstrip(b"=").decode()


def _expired(key):
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    return key.sign(access_claims(issuer=ISSUER, audience=AUDIENCE, subject="user-1",
                                  role="platform_admin", now=an_hour_ago))


def _payload_altered(key):
    header, _payload, signature = key.sign(_claims(role="sme_user")).split(".")
    altered = _b64({**_claims(role="sme_user"), "role": "platform_admin",
                    "iat": 0, "nbf": 0, "exp": 4102444800})
    return f"{header}.{altered}.{signature}"


def _signature_broken(key):
    header, payload, signature = key.sign(_claims()).split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return f"{header}.{payload}.{flipped}"


def _other_key(_key):
    return SigningKey.generate().sign(_claims())


def _other_key_claiming_our_kid(key):
    return jwt.encode(_claims(), Ed25519PrivateKey.generate(), algorithm="EdDSA",
                      headers={"kid": key.kid})


def _alg_none(key):
    return jwt.encode(_claims(), None, algorithm="none", headers={"kid": key.kid})


def _hmac_with_public_key(key):
    return f"{_b64({'alg': 'HS256', 'typ': 'JWT', 'kid': key.kid})}.{_b64(_claims())}.c2lnbmF0dXJl"


DEFECTS = {
    "expired": _expired,
    "payload-altered": _payload_altered,
    "signature-broken": _signature_broken,
    "signed-by-another-key": _other_key,
    "another-key-with-our-kid": _other_key_claiming_our_kid,
    "wrong-audience": lambda key: key.sign(_claims(aud="someone-else")),
    "wrong-issuer": lambda key: key.sign(_claims(iss="https://evil.example")),
    "alg-none": _alg_none,
    "hs256-confusion": _hmac_with_public_key,
    "not-an-access-token": lambda key: key.sign(_claims(typ="refresh")),
    "unknown-role": lambda key: key.sign(_claims(role="superuser")),
    "garbage": lambda _key: "not.a.token",
}


@pytest.mark.parametrize("make_token", DEFECTS.values(), ids=DEFECTS.keys())
def test_a_defective_token_gets_401_problem(client, signing_key, make_token):
    response = client.get("/users", headers={"Authorization": f"Bearer {make_token(signing_key)}"})

    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_the_same_endpoint_accepts_a_sound_token(client, signing_key):
    token = signing_key.sign(_claims())

    response = client.get("/users", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200


def test_a_refresh_token_is_not_an_access_token(client, register, login):
    register()
    refresh = login().json["refresh_token"]

    response = client.get("/me", headers={"Authorization": f"Bearer {refresh}"})

    assert response.status_code == 401


def test_a_request_without_a_token_is_unauthorised(client):
    assert client.get("/me").status_code == 401
