"""Credentials once issued: status list slots, reads, revocation, the published lists, and
verification against this service's own keys and lists.

Status list slots. A credential's revocation bit sits at a *random* free index of the
current revocation list (the W3C spec: indexes SHOULD be random so that a position tells
neither when a credential was issued nor how many were). The allocation holds the list's
row lock (``SELECT ... FOR UPDATE``; SQLite's write lock), so concurrent issues never
share an index – the unique ``(status_list_id, status_index)`` constraint backs that up.
A list takes credentials until half its slots are used, so a few random probes always
find a free one; then a fresh list of ``MIN_BITS`` opens (gzip makes the unused half
free to publish).

Suspension has no list: the OB 3.0 schema allows one ``credentialStatus`` entry, which is
revocation. A suspended trainer's module status says so (and catalog refuses them as
lead trainer); their credential stays valid unless the suspension ends in revocation.

Publishing. ``GET /status-lists/<id>`` is the list as a signed JWT-VC whose ``validFrom``
is the list's last revision: every worker signs the same bytes for a revision (Ed25519
is deterministic), so the ETag ``"<id>.<revision>"`` holds across workers.

Verification never calls this service over HTTP: a list URL of ours is read from the
database, decoded once per revision and kept in an in-process cache; each verification
asks the database only for the list's revision (one primary-key read), so a revocation in
any worker is seen by the next verification in every worker.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import secrets
import threading

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from services.certification import access, events
from services.certification.credentials import jwt_vc, verify
from services.certification.credentials.keys import Issuer
from services.certification.credentials.status_list import (
    MIN_BITS,
    list_credential,
    sign_list_credential,
)
from services.certification.credentials.status_list import (
    StatusList as Bits,
)
from services.certification.issuer import current_issuer
from services.certification.models import Credential, StatusList, Trainer
from shared import clock
from shared.auth import Principal, ensure_tenant
from shared.db import Database
from shared.errors import Conflict, NotFound
from shared.events import publish
from shared.locks import serialise_on

LIST_PATH = "/status-lists/"
PURPOSE = "revocation"
#: How long verifiers may cache a published list (its ``ttl`` and ``Cache-Control``).
LIST_TTL = dt.timedelta(seconds=60)
#: Random candidates tried per query while looking for a free index.
PROBES = 8


def list_url(issuer: Issuer, list_id: str) -> str:
    """Where the list ``list_id`` is published (every entry's ``statusListCredential``)."""
    return f"{issuer.base_url}{LIST_PATH}{list_id}"


def credential_url(issuer: Issuer, credential_id: str) -> str:
    """The public page of a credential."""
    return f"{issuer.base_url}/credentials/{credential_id}"


# -- slots ---------------------------------------------------------------------------------


def allocate_slot(session: Session, *, actor: str) -> tuple[StatusList, int]:
    """A free index of the current revocation list, taken under the list's row lock."""
    current = _open_list(session)
    if current is None:
        # Two issuers finding no room must not both open a list: the second waits here and
        # then finds the first's.
        serialise_on(session, "certification.status-lists")
        current = _open_list(session)
        if current is None:
            current = StatusList(purpose=PURPOSE, size=MIN_BITS, next_index=0,
                                 revision=0, revised_at=clock.now())
            session.add(current)
            session.flush()
            _announce(session, current, actor)
    index = _free_index(session, current)
    current.next_index += 1
    return current, index


def _open_list(session: Session) -> StatusList | None:
    return session.scalars(
        select(StatusList).where(StatusList.purpose == PURPOSE,
                                 StatusList.next_index * 2 < StatusList.size)
        .order_by(StatusList.created_at, StatusList.id).limit(1).with_for_update()
    ).first()


def _free_index(session: Session, status_list: StatusList) -> int:
    while True:
        candidates = {secrets.randbelow(status_list.size) for _ in range(PROBES)}
        taken = set(session.scalars(select(Credential.status_index).where(
            Credential.status_list_id == status_list.id,
            Credential.status_index.in_(candidates))))
        free = sorted(candidates - taken)
        if free:
            return secrets.choice(free)


# -- reads ---------------------------------------------------------------------------------


def get_credential(db: Database, credential_id: str) -> Credential:
    """A credential by id (public: anyone holding its id may look it up)."""
    with db.reading() as session:
        found = session.get(Credential, credential_id)
        if found is None:
            raise NotFound(f"no credential {credential_id}")
        session.expunge(found)
        return found


def list_for_trainer(db: Database, principal: Principal | None,
                     trainer_id: str) -> list[Credential]:
    """A trainer's credentials, newest first (whoever may read the trainer; others: 404)."""
    with db.reading() as session:
        trainer = session.get(Trainer, trainer_id)
        if trainer is None:
            raise NotFound("no such trainer")
        access.ensure_reads_trainer(session, principal, trainer)
        found = list(session.scalars(select(Credential).where(
            Credential.trainer_id == trainer_id, Credential.kind == "trainer")
            .order_by(Credential.issued_at.desc(), Credential.id.desc())))
        session.expunge_all()
        return found


def sme_certificates(db: Database, principal: Principal, sme_id: str) -> list[Credential]:
    """The participation certificates of an SME's participants, newest first (its users,
    auditors and admins; anyone else finds no such SME)."""
    ensure_tenant(principal, sme_id)
    with db.reading() as session:
        found = list(session.scalars(select(Credential).where(
            Credential.sme_id == sme_id, Credential.kind == "participation").order_by(
            Credential.issued_at.desc(), Credential.id)))
        session.expunge_all()
        return found


# -- revocation ----------------------------------------------------------------------------


def revoke_credential(db: Database, principal: Principal, credential_id: str,
                      reason: str) -> Credential:
    """A certifier revokes one credential: its status bit is set and the list republished."""
    with db.transaction() as session:
        credential = session.get(Credential, credential_id, with_for_update=True,
                                 populate_existing=True)
        if credential is None:
            raise NotFound(f"no credential {credential_id}")
        if credential.revoked_at is not None:
            raise Conflict("the credential is already revoked",
                           errors={"credential_id": ["already revoked"]})
        revoke(session, [credential], reason=reason, actor=principal.subject)
        session.flush()
        session.expunge(credential)
        return credential


def revoke(session: Session, credentials: list[Credential], *, reason: str,
           actor: str) -> None:
    """Revoke ``credentials`` (locked by the caller, none yet revoked): one bit each, one
    new revision per list touched, ``credential.revoked`` and ``status_list.published``."""
    now = clock.now()
    touched: dict[str, StatusList] = {}
    for credential in credentials:
        credential.revoked_at, credential.revoked_by = now, actor
        credential.revoked_reason = reason
        if credential.status_list_id not in touched:
            listed = session.get(StatusList, credential.status_list_id, with_for_update=True,
                                 populate_existing=True)
            assert listed is not None  # a foreign key
            touched[credential.status_list_id] = listed
    session.flush()
    for credential in credentials:
        publish(session, events.CREDENTIAL_REVOKED, credential.id,
                events.credential_payload(credential, actor))
    for status_list in touched.values():
        status_list.revision += 1
        status_list.revised_at = now
        session.flush()
        _announce(session, status_list, actor)
        _CACHE.drop(status_list.id)


def _announce(session: Session, status_list: StatusList, actor: str) -> None:
    revoked = session.scalar(select(func.count()).select_from(Credential).where(
        Credential.status_list_id == status_list.id, Credential.revoked_at.is_not(None)))
    publish(session, events.STATUS_LIST_PUBLISHED, status_list.id, {
        "status_list_id": status_list.id, "purpose": status_list.purpose,
        "url": list_url(current_issuer(), status_list.id), "used": status_list.next_index,
        "revoked": revoked or 0})


# -- published lists -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Published:
    """A list at one revision: its decoded bits, and its signed JWT once someone asked."""

    revision: int
    purpose: str
    revised_at: dt.datetime
    bits: Bits
    token: str | None = None

    @property
    def etag(self) -> str:
        """Identifies the revision (the same in every worker; unquoted)."""
        return f"r{self.revision}"


class _ListCache:
    """Decoded lists by (issuer key, list id), each valid for one revision."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], Published] = {}

    def get(self, key: tuple[str, str], revision: int) -> Published | None:
        with self._lock:
            found = self._entries.get(key)
        return found if found is not None and found.revision == revision else None

    def put(self, key: tuple[str, str], published: Published) -> None:
        with self._lock:
            if len(self._entries) > 256:
                self._entries.clear()
            self._entries[key] = published

    def drop(self, list_id: str) -> None:
        with self._lock:
            for key in [k for k in self._entries if k[1] == list_id]:
                del self._entries[key]


_CACHE = _ListCache()
_REVISION = select(StatusList.revision).where(StatusList.id == bindparam("list_id"))


def _current(db: Database, issuer: Issuer, list_id: str) -> Published:
    rows = db.quick.rows(_REVISION, {"list_id": list_id})
    if not rows:
        raise NotFound(f"no status list {list_id}")
    revision = rows[0][0]
    key = (issuer.kid(), list_id)
    found = _CACHE.get(key, revision)
    if found is None:
        with db.reading() as session:
            # The revision and the bits in one snapshot: a revocation committing meanwhile
            # must not be cached under the older revision.
            listed = session.get(StatusList, list_id)
            if listed is None:
                raise NotFound(f"no status list {list_id}")
            indexes = session.scalars(select(Credential.status_index).where(
                Credential.status_list_id == list_id, Credential.revoked_at.is_not(None)))
            bits = Bits(listed.size)
            for index in indexes:
                bits.set(index)
            found = Published(listed.revision, listed.purpose, listed.revised_at, bits)
        _CACHE.put(key, found)
    return found


def published_list(db: Database, list_id: str) -> Published:
    """The list ``list_id`` at its current revision, signed (404 when there is none)."""
    issuer = current_issuer()
    found = _current(db, issuer, list_id)
    if found.token is None:
        document = list_credential(issuer, list_url(issuer, list_id), found.bits,
                                   purpose=found.purpose, valid_from=found.revised_at,
                                   ttl=LIST_TTL)
        found = dataclasses.replace(found, token=sign_list_credential(document, issuer))
        _CACHE.put((issuer.kid(), list_id), found)
    return found


# -- verification --------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _jwks(issuer: Issuer) -> dict:
    return issuer.jwks()


def jwks(issuer: Issuer | None = None) -> dict:
    """The issuer's published keys (computed once per issuer)."""
    return _jwks(issuer or current_issuer())


def verify_token(db: Database, token: str, now: dt.datetime | None = None
                 ) -> verify.Verification:
    """Verify ``token`` with this service's keys and status lists, at ``now``."""
    issuer = current_issuer()
    prefix = f"{issuer.base_url}{LIST_PATH}"

    def status_lists(url: str) -> verify.PublishedList:
        list_id = url[len(prefix):] if url.startswith(prefix) else ""
        if not list_id or "/" in list_id:
            raise verify.StatusUnavailable(f"{url} is not a status list of this issuer")
        try:
            found = _current(db, issuer, list_id)
        except NotFound as exc:
            raise verify.StatusUnavailable(f"no status list at {url}") from exc
        return verify.PublishedList(url, frozenset({found.purpose}), found.bits)

    return verify.verify(token, jwks(issuer), status_lists, now or clock.now())


def document_of(credential: Credential) -> dict:
    """The credential document a stored token carries (our own token: already trusted)."""
    return jwt_vc.credential_of(jwt_vc.unverified_claims(credential.token))
