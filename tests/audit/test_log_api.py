"""The log over HTTP: signed heads, proofs a client can check by itself, who may read what."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.audit.log import merkle
from services.audit.log.job import HeadPolicy, grow
from tests.audit.builders import fill

AUDITOR = ("ilo_auditor", "ilo-1", "ilo")
PROVIDER = ("provider_staff", "p-1", "provider")


@pytest.fixture
def logged(app, audit_db, clock):
    """30 entries of providers p-1, p-2 and none in turn, heads signed at 10, 20 and 30."""
    fill(audit_db, 30, providers=("p-1", "p-2", None))
    grow(audit_db, app.extensions["audit_signer"], HeadPolicy(entries=10, seconds=60))
    return audit_db


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def head_holds(client, head: dict) -> bool:
    """Check a head's signature with the published JWKS, as a client would."""
    keys = {key["kid"]: key for key in client.get("/log/jwks.json").json["keys"]}
    x = keys[head["key_id"]]["x"]
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))
    message = f"score-audit-tree-head/v1\n{head['size']}\n{head['root']}\n{head['timestamp']}\n"
    public.verify(b64(head["signature"]), message.encode())  # raises if it does not hold
    return True


def test_the_latest_head_is_signed_by_a_published_key(client, logged, auth):
    head = client.get("/log/head", headers=auth(*AUDITOR)).json
    assert head["size"] == 30
    assert head_holds(client, head)


def test_an_inclusion_proof_carries_everything_to_check_it(client, logged, auth):
    response = client.get("/log/entries/7/inclusion", headers=auth(*AUDITOR))
    assert response.status_code == 200
    proof = response.json
    assert (proof["seq"], proof["head"]["size"]) == (7, 30)
    assert head_holds(client, proof["head"])
    assert merkle.verify_inclusion(merkle.leaf_hash(b64(proof["entry"])), 7, 30,
                                   [b64(h) for h in proof["proof"]], b64(proof["head"]["root"]))
    by_id = client.get(f"/log/events/{proof['event_id']}/inclusion?size=10",
                       headers=auth(*AUDITOR)).json
    assert (by_id["seq"], by_id["entry"], by_id["head"]["size"]) == (7, proof["entry"], 10)
    assert merkle.verify_inclusion(merkle.leaf_hash(b64(by_id["entry"])), 7, 10,
                                   [b64(h) for h in by_id["proof"]], b64(by_id["head"]["root"]))


def test_proofs_only_against_signed_trees_that_hold_the_entry(client, logged, auth):
    unsigned = client.get("/log/entries/3/inclusion?size=15", headers=auth(*AUDITOR))
    assert unsigned.status_code == 404
    assert unsigned.content_type == "application/problem+json"
    assert "size 15" in unsigned.json["detail"]
    later = client.get("/log/entries/12/inclusion?size=10", headers=auth(*AUDITOR))
    assert later.status_code == 409
    assert later.json["errors"] == {"size": ["the tree must be larger than the entry's seq"]}
    for path in ("/log/entries/30/inclusion", "/log/entries/99999999999999999999/inclusion",
                 "/log/events/nope/inclusion"):
        assert client.get(path, headers=auth(*AUDITOR)).status_code == 404
    assert client.get("/log/entries/1/inclusion?size=0",
                      headers=auth(*AUDITOR)).status_code == 400


def test_a_consistency_proof_between_signed_heads(client, logged, auth):
    response = client.get("/log/consistency?first=10&second=30", headers=auth(*AUDITOR))
    assert response.status_code == 200
    body = response.json
    assert head_holds(client, body["first"]) and head_holds(client, body["second"])
    assert merkle.verify_consistency(10, 30, b64(body["first"]["root"]),
                                     b64(body["second"]["root"]),
                                     [b64(h) for h in body["proof"]])
    backwards = client.get("/log/consistency?first=30&second=10", headers=auth(*AUDITOR))
    assert backwards.status_code == 400
    assert backwards.json["errors"] == {"first": ["not above second"]}
    assert client.get("/log/consistency?first=10&second=25",
                      headers=auth(*AUDITOR)).status_code == 404


def test_heads_are_paged_largest_first(client, logged, auth):
    first = client.get("/log/heads?limit=2", headers=auth(*AUDITOR)).json
    assert [head["size"] for head in first["items"]] == [30, 20]
    rest = client.get(f"/log/heads?limit=2&cursor={first['next_cursor']}",
                      headers=auth(*AUDITOR)).json
    assert ([head["size"] for head in rest["items"]], rest["next_cursor"]) == ([10], None)
    assert client.get("/log/heads?cursor=nope", headers=auth(*AUDITOR)).status_code == 400


def test_before_the_first_head_there_is_nothing_to_prove(client, auth):
    assert client.get("/log/head", headers=auth(*AUDITOR)).status_code == 404
    assert client.get("/log/heads", headers=auth(*AUDITOR)).json["items"] == []


@pytest.mark.parametrize(("role", "org", "org_type"), [
    ("ilo_auditor", "ilo-1", "ilo"), ("platform_admin", "platform", "ilo"),
    ("service", None, None)])
def test_readers_of_everything_get_every_proof(client, logged, auth, role, org, org_type):
    headers = auth(role, org, org_type)
    for path in ("/log/head", "/log/heads", "/log/consistency?first=10&second=20",
                 "/log/entries/0/inclusion", "/log/entries/1/inclusion",
                 "/log/entries/2/inclusion"):
        assert client.get(path, headers=headers).status_code == 200, path


def test_a_provider_gets_proofs_of_its_own_entries_only(client, logged, auth):
    headers = auth(*PROVIDER)
    assert client.get("/log/entries/3/inclusion", headers=headers).status_code == 200
    assert client.get("/log/entries/4/inclusion", headers=headers).status_code == 404  # p-2's
    assert client.get("/log/entries/5/inclusion", headers=headers).status_code == 404  # no one's
    assert client.get("/log/head", headers=headers).status_code == 200
    assert client.get("/log/consistency?first=10&second=20", headers=headers).status_code == 200


@pytest.mark.parametrize(("role", "org", "org_type"), [
    ("sme_user", "sme-1", "sme"), ("sponsor_staff", "sponsor-1", "sponsor"),
    ("trainer", "trainer-1", "trainer")])
def test_other_roles_are_refused_and_anonymous_callers_unauthorised(
        client, logged, auth, role, org, org_type):
    for path in ("/log/head", "/log/heads", "/log/entries/0/inclusion",
                 "/log/consistency?first=10&second=20"):
        assert client.get(path, headers=auth(role, org, org_type)).status_code == 403, path
        assert client.get(path).status_code == 401, path
    assert client.get("/log/jwks.json").status_code == 200  # the keys are public
