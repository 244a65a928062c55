"""Safe retries of creating requests: the ``Idempotency-Key`` header (as Stripe's API has it).

A client that sends ``Idempotency-Key: <its own unique key>`` with a POST may
retry the request after a timeout or a dropped connection without creating
twice:

- the first request with a key runs and its 2xx response is stored;
- the same key with the same request (method, path, query, body) answers the
  stored response again (header ``Idempotent-Replayed: true``);
- the same key with a different request is a 422 – a client bug;
- the same key while the first request is still running is a 409;
- a request that failed (4xx, 5xx, crash before its transaction committed)
  stores nothing: retrying with the same key runs it again, which is safe
  because nothing was written.

Keys are scoped to the caller (token subject, or ``anonymous``) and kept for
:data:`KEY_TTL`. The marker that the request's effect committed is written in
the *same* transaction as the effect (a ``before_commit`` hook on the service's
write sessions), so a crash between the commit and storing the response never
runs the request twice: such a key answers 409 until it expires, telling the
client to look the resource up instead.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, request
from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.auth import current_principal
from shared.db import Database
from shared.errors import Conflict, DomainError, ValidationFailed
from shared.events.tables import idempotency_keys

HEADER = "Idempotency-Key"
KEY_TTL = dt.timedelta(hours=24)
# A pending key whose effect never committed is abandoned after this long (the
# process died mid-request): a retry may then run the request again.
ABANDONED_AFTER = dt.timedelta(seconds=60)
_REPLAYED_HEADERS = ("Content-Type", "Location", "ETag")

_current: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "score_idempotency_row", default=None)


class _BadKey(DomainError):
    status, title, type_slug = 400, "Invalid Idempotency-Key", "invalid-idempotency-key"


def idempotent(blp) -> Callable:
    """View decorator (below ``roles_required``, above ``blp.arguments``) honouring the header.

    ``blp`` is the view's flask-smorest Blueprint; the header is documented on it.
    """
    doc = blp.doc(parameters=[{
        "in": "header", "name": HEADER, "required": False,
        "description": "Your unique key for this request (1–255 visible ASCII characters). "
                       "A retry with the same key and body returns the first response; "
                       "with another body, 422. Kept for 24 hours.",
        # HTTP drops surrounding spaces, so a key neither starts nor ends with one.
        "schema": {"type": "string", "minLength": 1, "maxLength": 255,
                   "pattern": "^[!-~]([ -~]*[!-~])?$"},
    }])

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            key = request.headers.get(HEADER)
            if key is None:
                return view(*args, **kwargs)
            return _run_once(_checked(key), lambda: view(*args, **kwargs))

        return doc(wrapper)

    return decorator


def install(db: Database) -> None:
    """Mark a running keyed request's effect as committed, inside its write transaction."""
    event.listen(db.write_sessions, "before_commit", _mark_committed)


def _mark_committed(session: Session) -> None:
    row_id = _current.get()
    if row_id is not None:
        session.execute(update(idempotency_keys)
                        .where(idempotency_keys.c.id == row_id,
                               idempotency_keys.c.state == "pending")
                        .values(state="committed"))


def _checked(key: str) -> str:
    if not 1 <= len(key) <= 255 or not key.isascii() or not key.isprintable():
        raise _BadKey(f"{HEADER} must be 1–255 visible ASCII characters",
                      errors={HEADER: ["1–255 visible ASCII characters"]})
    return key


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.query_string.decode("latin-1")):
        digest.update(part.encode() + b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _run_once(key: str, view: Callable[[], Any]):
    db: Database = current_app.extensions["score_db"]
    principal = current_principal()
    scope = principal.subject if principal is not None else "anonymous"
    fingerprint = _fingerprint()
    row_id, stored = _claim(db, scope, key, fingerprint)
    if stored is not None:
        return stored
    token = _current.set(row_id)
    try:
        response = current_app.make_response(view())
    except BaseException:
        _forget(db, row_id)
        raise
    finally:
        _current.reset(token)
    if 200 <= response.status_code < 300:
        _store(db, row_id, response)
    else:
        _forget(db, row_id)
    return response


def _claim(db: Database, scope: str, key: str, fingerprint: str) -> tuple[int, Response | None]:
    """Our pending row for this key, or the stored response to replay."""
    now = dt.datetime.now(dt.UTC)
    table = idempotency_keys
    with db.transaction() as session:
        session.execute(delete(table).where(table.c.created_at < now - KEY_TTL))
        found = session.execute(select(table).where(table.c.scope == scope,
                                                    table.c.key == key)).first()
        if found is not None and found.state == "pending" \
                and found.created_at < now - ABANDONED_AFTER:
            session.execute(delete(table).where(table.c.id == found.id))
            found = None
        if found is None:
            try:
                with session.begin_nested():
                    row_id = session.execute(insert(table).values(
                        scope=scope, key=key, fingerprint=fingerprint, state="pending",
                        created_at=now).returning(table.c.id)).scalar_one()
                return row_id, None
            except IntegrityError:
                found = session.execute(select(table).where(table.c.scope == scope,
                                                            table.c.key == key)).one()
    return found.id, _replay(found, fingerprint)


def _replay(found, fingerprint: str) -> Response:
    if found.fingerprint != fingerprint:
        raise ValidationFailed(f"this {HEADER} was used for a different request",
                               errors={HEADER: ["already used with another method, path "
                                                "or body; use a new key"]})
    if found.state != "done":
        raise Conflict(f"a request with this {HEADER} is in progress (or its response was "
                       "lost after it succeeded); look the resource up before creating again",
                       errors={HEADER: [f"request {found.state}"]})
    headers = json.loads(found.response_headers)
    response = Response(found.response_body, status=found.response_status)
    for name, value in headers.items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _store(db: Database, row_id: int, response: Response) -> None:
    headers = {h: response.headers[h] for h in _REPLAYED_HEADERS if h in response.headers}
    with db.transaction() as session:
        session.execute(update(idempotency_keys).where(idempotency_keys.c.id == row_id).values(
            state="done", response_status=response.status_code,
            response_headers=json.dumps(headers), response_body=response.get_data()))


def _forget(db: Database, row_id: int) -> None:
    # Only a row whose effect did not commit may be forgotten (a retry then runs again).
    with db.transaction() as session:
        session.execute(delete(idempotency_keys).where(idempotency_keys.c.id == row_id,
                                                       idempotency_keys.c.state == "pending"))
