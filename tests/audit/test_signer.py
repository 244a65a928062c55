"""The head signing key from settings: production refuses none, rotated keys stay published."""

from __future__ import annotations

import pytest

from services.audit.log.signer import HeadKey, load_signer
from shared.config import ConfigError, load_settings


def settings(tmp_path, **values):
    return load_settings("audit", {"data_dir": str(tmp_path), **values})


def test_production_refuses_to_sign_without_a_configured_key(tmp_path):
    with pytest.raises(ConfigError, match="SCORE_AUDIT_SIGNING_KEY"):
        load_signer(settings(tmp_path, env="production", secret_key="s" * 40,
                             database_url="postgresql://x/y"))


def test_development_keeps_its_generated_key_across_restarts(tmp_path):
    first, again = load_signer(settings(tmp_path)), load_signer(settings(tmp_path))
    assert first.key.kid == again.key.kid
    assert (tmp_path / "audit-signing-key.pem").exists()


def test_a_configured_key_signs_and_rotated_out_keys_stay_published(tmp_path):
    current, old = HeadKey.generate(), HeadKey.generate()
    signer = load_signer(settings(tmp_path, signing_key=current.to_pem().replace("\n", "\\n"),
                                  signing_previous_keys=old.to_pem()))
    assert signer.key.kid == current.kid
    assert [key["kid"] for key in signer.jwks()["keys"]] == [current.kid, old.kid]
    assert all("d" not in key for key in signer.jwks()["keys"])
    assert signer.keys[old.kid].verifies(b"head", old.sign_bytes(b"head"))
    assert not signer.keys[old.kid].verifies(b"head", current.sign_bytes(b"head"))


def test_a_key_that_is_not_ed25519_pem_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="SCORE_AUDIT_SIGNING_KEY"):
        load_signer(settings(tmp_path, signing_key="-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                                   "-----END PRIVATE KEY-----"))
