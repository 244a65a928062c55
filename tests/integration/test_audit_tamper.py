"""The audit log on PostgreSQL: tampering with stored entries is caught and located, and
proofs served over HTTP hold up under a verifier written here from RFC 9162 alone.

A few hundred events are logged as the ingest logs them, the tree job builds the
tiles and signs heads; then, each case on a fresh database, stored entries are
edited, deleted, inserted or swapped – or the tiles rewritten to match an edit –
and ``score audit verify`` (a separate process, streaming from PostgreSQL) must
exit non-zero naming the first bad index, or the first head the tiles contradict.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import urllib.request

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import text

from services import audit
from services.audit.log.job import HeadPolicy, grow
from services.audit.log.verify import verify
from shared.config import project_root
from tests.audit.builders import fill
from tests.support.flows import serving

pytestmark = pytest.mark.integration

ENTRIES = 300
EVERY = 100  # heads at 100, 200 and 300


@pytest.fixture
def logged(pg_database, app_config, clock):
    """The audit app on PostgreSQL with 300 entries in the tree and three signed heads."""
    app = audit.create_app(app_config(database_url=pg_database, auto_migrate=True))
    db = app.extensions["score_db"]
    fill(db, ENTRIES, providers=("p-1", "p-2"))
    grow(db, app.extensions["audit_signer"], HeadPolicy(entries=EVERY, seconds=60))
    yield app
    db.dispose()


def score_audit_verify(app) -> subprocess.CompletedProcess:
    """``score audit verify`` against the app's database and keys, as an operator runs it."""
    settings = app.extensions["score_settings"]
    env = {**os.environ, "SCORE_AUDIT_DATABASE_URL": settings.database_url,
           "SCORE_AUDIT_DATA_DIR": settings.data_dir, "SCORE_ENV": "test"}
    return subprocess.run([sys.executable, "-m", "shared.cli", "audit", "verify"],
                          cwd=project_root(), env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def sql(app, *statements: str) -> None:
    with app.extensions["score_db"].engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


EDIT = ("UPDATE entries SET event = event || '\\x20'::bytea WHERE seq = 123",)
DELETE = ("DELETE FROM entries WHERE seq = 77",)
# Make room at 200 (through negative numbers: the primary key is checked row by row), then
# slip a forged event in.
INSERT = ("UPDATE entries SET seq = -seq - 1 WHERE seq >= 200",
          "UPDATE entries SET seq = -seq WHERE seq < 0",
          "INSERT INTO entries (seq, event_id, type, source, subject, providerid, time, topic, "
          "partition, \"offset\", received_at, event) SELECT 200, 'forged', type, source, "
          "subject, providerid, time, topic, partition, \"offset\", received_at, "
          "convert_to('{\"forged\": true}', 'UTF8') FROM entries WHERE seq = 0")
# Who may read an entry, not its bytes: no hash changes, the event itself says otherwise.
RELABEL = ("UPDATE entries SET providerid = 'prov-elsewhere' WHERE seq = 31",)
SWAP = ("UPDATE entries SET seq = -1 WHERE seq = 50",
        "UPDATE entries SET seq = 50 WHERE seq = 60",
        "UPDATE entries SET seq = 60 WHERE seq = -1")


@pytest.mark.parametrize(("statements", "first_line"), [
    (EDIT, "FAILED: entry 123: its bytes do not hash to the leaf logged at index 123"),
    (DELETE, "FAILED: entry 77: missing (deleted: the next stored entry is 78)"),
    (INSERT, "FAILED: entry 200: its bytes do not hash to the leaf logged at index 200"),
    (SWAP, "FAILED: entry 50: its bytes do not hash to the leaf logged at index 50"),
    (RELABEL, "FAILED: entry 31: its providerid column does not say what the logged event"),
], ids=["edit", "delete", "insert", "swap", "relabel"])
def test_verify_names_the_first_tampered_index(logged, statements, first_line):
    sound = verify(logged.extensions["score_db"], logged.extensions["audit_signer"])
    assert sound.ok and sound.entries == ENTRIES, sound.problems

    sql(logged, *statements)

    result = score_audit_verify(logged)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines()[0].startswith(first_line), result.stdout


def test_verify_names_the_first_head_that_rewritten_tiles_contradict(logged):
    sql(logged, *EDIT)
    # Rewrite the tiles to match the edited entries, as an attacker with the database would.
    sql(logged, "DELETE FROM tiles")
    grow(logged.extensions["score_db"], logged.extensions["audit_signer"],
         HeadPolicy(entries=10**9, seconds=10**9))

    result = score_audit_verify(logged)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == (
        "FAILED: tree head at size 200: its root does not match the tiles (the tiles were "
        "rewritten)")


# --- an independent client: RFC 9162 §2.1 read from the text, nothing of the service's ---

def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def rfc_inclusion_root(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes | None:
    """§2.1.3.2: the root an inclusion path leads to, None where the algorithm fails."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, sha256(b"\x00" + leaf)
    for p in path:
        if sn == 0:
            return None
        if fn % 2 == 1 or fn == sn:
            r = sha256(b"\x01" + p + r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = sha256(b"\x01" + r + p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def rfc_consistent(first: int, second: int, first_hash: bytes, second_hash: bytes,
                   path: list[bytes]) -> bool:
    """§2.1.4.2, for 0 < first < second."""
    if not path:
        return False
    if first & (first - 1) == 0:
        path = [first_hash, *path]
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr, sr = sha256(b"\x01" + c + fr), sha256(b"\x01" + c + sr)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = sha256(b"\x01" + sr + c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_hash and sr == second_hash and sn == 0


def get(url: str, headers: dict | None = None) -> dict:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})) as reply:
        return json.load(reply)


def signed_by_published_key(base: str, head: dict) -> bool:
    keys = {key["kid"]: key for key in get(f"{base}/log/jwks.json")["keys"]}
    x = keys[head["key_id"]]["x"]
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))
    message = f"score-audit-tree-head/v1\n{head['size']}\n{head['root']}\n{head['timestamp']}\n"
    public.verify(base64.b64decode(head["signature"]), message.encode())
    return True


def test_proofs_over_http_verify_independently(logged, auth):
    headers = auth("ilo_auditor", "ilo-1", "ilo")
    b64 = base64.b64decode
    with serving(logged) as base:
        for seq, size in ((0, 100), (99, 100), (123, 200), (255, 300), (256, 300), (299, 300)):
            proof = get(f"{base}/log/entries/{seq}/inclusion?size={size}", headers)
            assert signed_by_published_key(base, proof["head"])
            root = rfc_inclusion_root(seq, size, b64(proof["entry"]),
                                      [b64(h) for h in proof["proof"]])
            assert root == b64(proof["head"]["root"]), (seq, size)
            forged = b64(proof["entry"]) + b" "
            assert rfc_inclusion_root(seq, size, forged, [b64(h) for h in proof["proof"]]) \
                != root
        for first, second in ((100, 200), (100, 300), (200, 300)):
            body = get(f"{base}/log/consistency?first={first}&second={second}", headers)
            assert signed_by_published_key(base, body["first"])
            assert rfc_consistent(first, second, b64(body["first"]["root"]),
                                  b64(body["second"]["root"]), [b64(h) for h in body["proof"]])
