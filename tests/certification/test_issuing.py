"""Issuing and revoking credentials: OB 3.0 schema, a third-party JOSE library, one status
bit per credential, the published list, and the issuer key's settings."""

from __future__ import annotations

import json

import pytest
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

from services.certification.issuer import KEY_FILE, load_issuer
from services.certification.models import Credential, ModuleStatus, StatusList, Trainer
from services.certification.service import issuing
from shared.config import ConfigError, load_settings
from tests.certification.issued import (
    certified_trainer,
    claims,
    outbox_types,
    revoke_module,
    set_bits,
)
from tests.certification.test_credentials import eddsa_deprecated, validator  # noqa: F401


@pytest.fixture
def db(app):
    return app.extensions["score_db"]


def _list(client, url: str, **headers):
    """GET a status list URL of ours on the test client (its path)."""
    path = url.split("://", 1)[1].split("/", 1)[1]
    return client.get(f"/{path}", headers=headers)


@eddsa_deprecated
def test_a_certified_trainer_gets_a_schema_valid_credential_joserfc_verifies(
        app, client, db, validator):  # noqa: F811
    trainer_id, credential_id, token = certified_trainer(db, module_code="M2")
    jwks = client.get("/.well-known/jwks.json").get_json()
    decoded = jose_jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["EdDSA"])
    document = {k: v for k, v in decoded.claims.items()
                if k not in ("iss", "jti", "sub", "nbf", "exp")}
    validator.validate(document)
    assert document["id"] == f"urn:uuid:{credential_id}"
    assert document["credentialSubject"]["id"] == f"urn:uuid:{trainer_id}"
    assert document["credentialSubject"]["achievement"]["humanCode"] == "M2"
    with db.reading() as session:
        stored = session.get(Credential, credential_id)
        assert document["validUntil"] == issuing.end_of_validity(stored.valid_until).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        assert document["credentialStatus"]["statusListIndex"] == str(stored.status_index)
    assert outbox_types(db) == ["status_list.published", "credential.issued"]


def test_the_same_certification_is_issued_once(db):
    trainer_id, credential_id, _ = certified_trainer(db)
    with db.transaction() as session:
        again = issuing.on_certified(session, session.get(Trainer, trainer_id),
                                     session.get(ModuleStatus, (trainer_id, "M1")),
                                     actor="admin")
        assert again.id == credential_id
    assert outbox_types(db).count("credential.issued") == 1


def test_credentials_take_distinct_random_slots_of_one_list(db):
    issued = [certified_trainer(db)[1] for _ in range(12)]
    with db.reading() as session:
        slots = [(c.status_list_id, c.status_index) for c in
                 (session.get(Credential, i) for i in issued)]
        (status_list,) = session.query(StatusList).all()
    assert len(set(slots)) == 12 and {s[0] for s in slots} == {status_list.id}
    assert status_list.next_index == 12
    # Random positions: twelve issues in a row do not sit at 0..11.
    assert sorted(s[1] for s in slots) != list(range(12))


def test_a_list_half_used_gives_way_to_a_new_one(db):
    _, first, _ = certified_trainer(db)
    with db.transaction() as session:
        full = session.query(StatusList).one()
        full.next_index = full.size // 2
    _, second, _ = certified_trainer(db)
    with db.reading() as session:
        lists = {session.get(Credential, first).status_list_id,
                 session.get(Credential, second).status_list_id}
    assert len(lists) == 2


def test_revoking_flips_exactly_the_credentials_bit_in_the_published_list(client, db):
    kept, revoked_id = certified_trainer(db), certified_trainer(db, name="Budi")
    token = revoked_id[2]
    url = claims(token)["credentialStatus"]["statusListCredential"]
    before = _list(client, url)
    assert before.status_code == 200 and before.mimetype == "application/vc+jwt"
    assert before.cache_control.max_age == 60 and before.headers["ETag"]
    assert set_bits(before.get_data(as_text=True)) == []
    assert _list(client, url).headers["ETag"] == before.headers["ETag"]
    assert _list(client, url, **{"If-None-Match": before.headers["ETag"]}).status_code == 304

    assert revoke_module(db, revoked_id[0]) == [revoked_id[1]]

    after = _list(client, url)
    index = int(claims(token)["credentialStatus"]["statusListIndex"])
    assert set_bits(after.get_data(as_text=True)) == [index]
    assert after.headers["ETag"] != before.headers["ETag"]
    kept_index = int(claims(kept[2])["credentialStatus"]["statusListIndex"])
    assert kept_index != index
    assert outbox_types(db)[-2:] == ["credential.revoked", "status_list.published"]


def test_an_unknown_status_list_is_404(client):
    assert client.get("/status-lists/nope").status_code == 404


def test_production_refuses_a_missing_issuer_key(tmp_path):
    settings = load_settings("certification", {
        "env": "production", "secret_key": "x" * 40, "data_dir": str(tmp_path),
        "database_url": "postgresql://u:p@db/certification",
        "public_url": "https://certificates.score.example"})
    with pytest.raises(ConfigError, match="ISSUER_KEY"):
        load_issuer(settings)
    assert not (tmp_path / KEY_FILE).exists()


def test_production_needs_an_https_public_url(tmp_path):
    from services.certification.credentials.keys import IssuerKey

    settings = load_settings("certification", {
        "env": "production", "secret_key": "x" * 40, "data_dir": str(tmp_path),
        "database_url": "postgresql://u:p@db/certification",
        "issuer_key": IssuerKey.generate().to_pem()})
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        load_issuer(settings)


def test_development_keeps_its_generated_key_across_restarts(tmp_path):
    settings = load_settings("certification", {"data_dir": str(tmp_path), "port": 5999})
    first, second = load_issuer(settings), load_issuer(settings)
    assert first.jwks() == second.jwks()
    assert first.did == "did:web:127.0.0.1%3A5999"
    assert json.loads(json.dumps(first.jwks()))["keys"][0]["kid"].startswith(first.did)
