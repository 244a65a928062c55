"""Start-up: signing keys, the bootstrap admin, and what production refuses."""

import os
import stat

import jwt
import pytest

from services import identity
from services.identity.context import build_identity
from services.identity.keys import KEY_FILE
from services.identity.models import Membership, User
from shared.config import DEV_SECRET, ConfigError, load_settings
from shared.tokens import SigningKey

ADMIN = {"bootstrap_admin_email": "Admin@Score.example",
         "bootstrap_admin_password": "a strong admin password"}
POSTGRES = "postgresql+psycopg://score:secret@127.0.0.1:1/identity"


def test_the_bootstrap_admin_is_created_once(make_app, count_rows):
    make_app(**ADMIN)
    make_app(**ADMIN)

    assert count_rows(User) == 1 and count_rows(Membership) == 1


def test_the_bootstrap_admin_signs_in_as_platform_admin(make_app, verifier):
    client = make_app(**ADMIN).test_client()

    response = client.post("/oauth/token", data={
        "grant_type": "password", "username": "admin@score.example",
        "password": ADMIN["bootstrap_admin_password"]})

    principal = verifier.verify(response.json["access_token"])
    assert (principal.role, principal.org, principal.org_type) == (
        "platform_admin", "platform", "ilo")


def test_the_bootstrap_is_published_like_any_registration_and_grant(make_app, published):
    make_app(**ADMIN)

    registered, granted = published()
    assert registered.type == "score.identity.user.registered.v1"
    assert registered.data["intended_role"] is None
    assert granted.type == "score.identity.membership.granted.v1"
    assert granted.data["granted_by"] == "system:bootstrap"


def test_an_existing_account_with_the_bootstrap_email_is_left_alone(make_app, register,
                                                                    count_rows):
    register("admin@score.example")

    make_app(**ADMIN)

    assert count_rows(User) == 1 and count_rows(Membership) == 0


@pytest.mark.parametrize("settings", [
    {"bootstrap_admin_email": "admin@score.example"},
    {"bootstrap_admin_password": "a strong admin password"},
    {**ADMIN, "bootstrap_admin_password": "short"},
    {**ADMIN, "bootstrap_admin_email": "not an email"},
    {"signing_key": "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----"},
    {"previous_signing_keys": "not a pem"},
    {"access_token_ttl_s": "soon"},
    {"login_max_failures_per_email": "0"},
], ids=["email-only", "password-only", "weak-password", "bad-email", "bad-pem",
        "bad-previous-pem", "ttl-not-int", "zero-limit"])
def test_unusable_settings_refuse_to_start(make_app, settings):
    with pytest.raises(ConfigError):
        make_app(**settings)


@pytest.fixture
def production(identity_config, signing_key):
    """``production(**overrides)`` → settings a production identity would start with."""
    real_hashing = {"password_hash_time_cost": None, "password_hash_memory_cost": None,
                    "password_hash_parallelism": None}
    return lambda **overrides: identity_config(**{
        "env": "production", "secret_key": "a-real-secret", "database_url": POSTGRES,
        "signing_key": signing_key.to_pem(), **real_hashing, **overrides})


@pytest.mark.parametrize("overrides, reason", [
    ({"secret_key": DEV_SECRET}, "SCORE_SECRET_KEY"),
    ({"signing_key": None}, "SIGNING_KEY"),
    ({**ADMIN, "bootstrap_admin_password": "eleven char"}, "shorter than 12"),
    ({"password_hash_memory_cost": "8"}, "memory_cost"),
    ({"database_url": "sqlite:///identity.db"}, "PostgreSQL"),
], ids=["dev-secret", "missing-signing-key", "short-admin-password", "test-hashing", "sqlite"])
def test_production_refuses_to_start_with_unsafe_settings(production, overrides, reason):
    with pytest.raises(ConfigError, match=reason):
        identity.create_app(production(**overrides))


def test_production_starts_with_a_configured_key(production, signing_key):
    settings = load_settings("identity", production(), environ={})

    assert build_identity(settings).keys.current.kid == signing_key.kid


def test_without_a_configured_key_development_keeps_one_across_restarts(make_app, tmp_path):
    first = make_app(signing_key=None)
    second = make_app(signing_key=None)

    jwks = first.test_client().get("/.well-known/jwks.json").json
    assert jwks == second.test_client().get("/.well-known/jwks.json").json
    key_file = tmp_path / KEY_FILE
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert jwks["keys"][0]["kid"] == SigningKey.from_pem(key_file.read_text()).kid


def test_a_token_from_before_a_restart_is_still_accepted(make_app):
    first = make_app(signing_key=None).test_client()
    first.post("/users", json={"email": "a@example.id", "name": "A",
                               "password": "a long password", "intended_role": "trainer"})
    token = first.post("/oauth/token", data={"grant_type": "password", "username": "a@example.id",
                                              "password": "a long password"}).json["access_token"]

    restarted = make_app(signing_key=None).test_client()

    assert restarted.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_previous_keys_are_published_but_only_the_current_key_signs(make_app, signing_key,
                                                                   auth):
    current = SigningKey.generate()
    client = make_app(signing_key=current.to_pem(),
                      previous_signing_keys=[signing_key.to_pem()]).test_client()
    user = client.post("/users", json={"email": "a@example.id", "name": "A",
                                       "password": "a long password",
                                       "intended_role": "trainer"}).json

    jwks = client.get("/.well-known/jwks.json")
    token = client.post("/oauth/token", data={"grant_type": "password", "username": "a@example.id",
                                              "password": "a long password"}).json["access_token"]

    assert [k["kid"] for k in jwks.json["keys"]] == [current.kid, signing_key.kid]
    assert jwks.headers["Cache-Control"].startswith("public")
    assert jwt.get_unverified_header(token)["kid"] == current.kid
    signed_with_previous_key = auth("trainer", subject=user["id"])
    assert client.get("/me", headers=signed_with_previous_key).status_code == 200


def test_previous_keys_may_come_from_one_environment_variable(make_app):
    older, oldest = SigningKey.generate(), SigningKey.generate()
    from_env = (older.to_pem() + oldest.to_pem()).replace("\n", "\\n")

    client = make_app(previous_signing_keys=from_env).test_client()

    kids = [k["kid"] for k in client.get("/.well-known/jwks.json").json["keys"]]
    assert kids[1:] == [older.kid, oldest.kid]
