"""Public verification: the JSON endpoint's coded reasons, the page, the keys – no token."""

from __future__ import annotations

import base64
import json

import pytest

from services.certification.credentials import jwt_vc
from services.certification.credentials.keys import IssuerKey
from tests.certification.issued import certified_trainer, revoke_module


@pytest.fixture
def db(app):
    return app.extensions["score_db"]


def _verify(client, token: str) -> dict:
    response = client.post("/credentials/verify", json={"token": token})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_fresh_credential_verifies(client, db):
    _, _, token = certified_trainer(db)
    result = _verify(client, token)
    assert result["valid"] is True and result["reasons"] == []
    assert result["credential"]["credentialSubject"]["identifier"][0]["identityHash"] == \
        "Siti Rahma"


def test_a_revoked_credential_reports_revoked_and_its_neighbour_stays_valid(client, db):
    trainer, _, token = certified_trainer(db)
    _, _, neighbour = certified_trainer(db, name="Budi")
    assert _verify(client, token)["valid"] is True  # cached list, then revoked
    revoke_module(db, trainer)
    result = _verify(client, token)
    assert result["valid"] is False and result["reasons"] == ["REVOKED"]
    assert _verify(client, neighbour)["valid"] is True


def test_an_expired_credential_reports_expired(client, db, clock):
    _, _, token = certified_trainer(db, valid_days=30)
    clock.advance(days=31)
    assert _verify(client, token)["reasons"] == ["EXPIRED"]


def test_a_tampered_or_foreign_signature_reports_signature_invalid(client, db):
    _, _, token = certified_trainer(db)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    result = _verify(client, f"{header}.{forged}.{signature}")
    assert result == {"valid": False, "reasons": ["SIGNATURE_INVALID"], "details": [
        "the signature does not verify"], "credential": None}
    impostor = IssuerKey.generate().sign_jws(
        jwt_vc.unverified_claims(token), headers=jwt_vc.unverified_header(token))
    assert _verify(client, impostor)["reasons"] == ["SIGNATURE_INVALID"]


@pytest.mark.parametrize("token", ["", "x" * 20_001])
def test_a_missing_or_oversized_token_is_a_422_naming_the_field(client, token):
    response = client.post("/credentials/verify", json={"token": token})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "token" in response.get_json()["errors"]


def test_garbage_is_malformed_not_a_500(client):
    assert _verify(client, "not.a.jwt")["reasons"] == ["MALFORMED"]


def test_the_credential_reads_as_json_or_as_the_verification_page(client, db):
    trainer, credential_id, token = certified_trainer(db)
    body = client.get(f"/credentials/{credential_id}").get_json()
    assert body["token"] == token and body["verification"]["valid"] is True
    assert body["revoked"] is False and body["status_list"].startswith("http://127.0.0.1:")
    page = client.get(f"/credentials/{credential_id}",
                      headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.mimetype == "text/html" and 'data-outcome="valid"' in page.get_data(
        as_text=True)
    assert "Accept" in page.headers["Vary"]
    revoke_module(db, trainer)
    page = client.get(f"/credentials/{credential_id}", headers={"Accept": "text/html"})
    text = page.get_data(as_text=True)
    assert 'data-outcome="invalid"' in text and 'data-reason="REVOKED"' in text
    assert client.get(f"/credentials/{credential_id}").get_json()["revoked"] is True


def test_the_page_verifies_a_pasted_token(client, db):
    _, _, token = certified_trainer(db)
    assert client.get("/verify").status_code == 200
    good = client.post("/verify", data={"token": token}).get_data(as_text=True)
    assert 'data-outcome="valid"' in good and "Siti Rahma" in good
    bad = client.post("/verify", data={"token": token[:-4] + "AAAA"}).get_data(as_text=True)
    assert 'data-reason="SIGNATURE_INVALID"' in bad
    # Autoescaped: a pasted token is shown as text, never markup.
    assert "<script>" not in client.post("/verify", data={"token": "<script>"}).get_data(
        as_text=True)


def test_public_endpoints_need_no_token(client, db):
    _, credential_id, token = certified_trainer(db)
    did = client.get("/.well-known/did.json")
    assert did.status_code == 200 and did.get_json()["id"].startswith("did:web:127.0.0.1")
    jwks = client.get("/.well-known/jwks.json").get_json()
    assert [k["kid"] for k in jwks["keys"]] == did.get_json()["assertionMethod"]
    assert all("d" not in k for k in jwks["keys"])
    assert client.get(f"/credentials/{credential_id}").status_code == 200
    assert client.post("/credentials/verify", json={"token": token}).status_code == 200
    list_path = "/" + jwt_vc.unverified_claims(token)["credentialStatus"][
        "statusListCredential"].split("/", 3)[3]
    assert client.get(list_path).status_code == 200


def test_only_a_platform_admin_revokes_one_credential_with_a_reason(client, db, auth):
    _, credential_id, token = certified_trainer(db)
    url = f"/credentials/{credential_id}/revoke"
    assert client.post(url, json={"reason": "fraud"}).status_code == 401
    assert client.post(url, json={"reason": "fraud"},
                       headers=auth("trainer")).status_code == 403
    assert client.post(url, json={"reason": "fraud"},
                       headers=auth("ilo_auditor")).status_code == 403
    assert client.post(url, json={"reason": ""},
                       headers=auth("platform_admin")).status_code == 422
    done = client.post(url, json={"reason": "forged attendance"},
                       headers=auth("platform_admin"))
    assert done.status_code == 200 and done.get_json()["revoked"] is True
    assert done.get_json()["verification"]["reasons"] == ["REVOKED"]
    again = client.post(url, json={"reason": "again"}, headers=auth("platform_admin"))
    assert again.status_code == 409
    missing = "/credentials/00000000-0000-4000-8000-000000000000/revoke"
    assert client.post(missing, json={"reason": "x"},
                       headers=auth("platform_admin")).status_code == 404
    assert client.get("/credentials/nope").status_code == 404
    assert _verify(client, token)["reasons"] == ["REVOKED"]


def test_a_trainer_lists_their_own_credentials_and_strangers_find_no_trainer(client, db, auth):
    trainer_id, credential_id, token = certified_trainer(db)
    url = f"/trainers/{trainer_id}/credentials"

    own = client.get(url, headers=auth("trainer", trainer_id, "trainer", subject=trainer_id))

    assert own.status_code == 200, own.get_json()
    (listed,) = own.get_json()
    assert (listed["id"], listed["token"], listed["module_code"]) == (credential_id, token, "M1")
    assert listed["verification"]["valid"] is True
    assert client.get(url, headers=auth("ilo_auditor")).status_code == 200
    assert client.get(url, headers=auth("trainer", subject="someone-else")).status_code == 404
    assert client.get(url).status_code == 401
    assert client.get("/trainers/nobody/credentials",
                      headers=auth("platform_admin")).status_code == 404
