"""Server-side browser sessions: the cookie carries an opaque id, the data stays here.

Flask's own sessions are signed cookies: anything put in them (the user's access and
refresh tokens) would travel to the browser. This interface keeps the data in the
portal's ``browser_sessions`` table and gives the browser a random 256-bit id as an
``HttpOnly``, ``SameSite=Lax`` cookie (``Secure`` in production). The row's key is
the id's SHA-256. ``rotate()`` gives a session a new id (at login and logout, so an
id seen before login is worthless after it).

A session is stored only once something is put in it (a CSRF token for a form, a
login): browsing the public pages writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import Flask, Request, Response, request
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import CallbackDict

from services.portal.models import BrowserSession
from shared import clock
from shared.db import Database

# Pushing the idle expiry forward costs a write: do it at most this often.
TOUCH_EVERY = dt.timedelta(minutes=1)
# One new session in this many also removes a batch of expired ones.
PURGE_ONE_IN = 20
PURGE_BATCH = 500


class ServerSession(CallbackDict, SessionMixin):
    """The session's data; ``modified`` as Flask expects, plus the id and its expiry."""

    def __init__(self, data: dict | None = None, sid: str | None = None,
                 expires_at: dt.datetime | None = None) -> None:
        def on_update(self: ServerSession) -> None:
            self.modified = True
            self.accessed = True

        super().__init__(data or {}, on_update)
        self.sid = sid
        self.expires_at = expires_at
        self.modified = False
        self.accessed = False
        self.previous_sid: str | None = None

    @property
    def new(self) -> bool:  # type: ignore[override]
        return self.sid is None

    def rotate(self) -> None:
        """A new id for the same data (the old row is removed when the session is saved)."""
        if self.sid is not None and self.previous_sid is None:
            self.previous_sid = self.sid
        self.sid = None
        self.modified = True


def _key(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class ServerSessions(SessionInterface):
    """Flask's session interface over the portal database."""

    def __init__(self, db: Database, lifetime: dt.timedelta) -> None:
        self.db = db
        self.lifetime = lifetime

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        sid = request.cookies.get(self.get_cookie_name(app))
        if not sid or len(sid) > 128:
            return ServerSession()
        with self.db.reading() as session:
            row = session.get(BrowserSession, _key(sid))
            if row is None or _aware(row.expires_at) <= clock.now():
                return ServerSession()
            return ServerSession(dict(row.data), sid, _aware(row.expires_at))

    def save_session(self, app: Flask, session: ServerSession,  # type: ignore[override]
                     response: Response) -> None:
        name = self.get_cookie_name(app)
        domain, path = self.get_cookie_domain(app), self.get_cookie_path(app)
        now = clock.now()
        if session.previous_sid is not None:
            self._delete(session.previous_sid)
            session.previous_sid = None
        if not session:
            if session.sid is not None:
                self._delete(session.sid)
                response.delete_cookie(name, domain=domain, path=path)
            elif name in request.cookies:  # a stale or unknown id: forget it
                response.delete_cookie(name, domain=domain, path=path)
            return
        touch = session.expires_at is None or session.expires_at - now < self.lifetime - TOUCH_EVERY
        if not session.modified and not touch:
            return
        if session.sid is None:
            session.sid = secrets.token_urlsafe(32)
        expires_at = now + self.lifetime
        with self.db.transaction() as tx:
            row = tx.get(BrowserSession, _key(session.sid))
            if row is None:
                # Expired rows go as new ones come, a few at a time: no job to run.
                if secrets.randbelow(PURGE_ONE_IN) == 0:
                    _purge(tx, now)
                tx.add(BrowserSession(id_hash=_key(session.sid), data=dict(session),
                                      created_at=now, expires_at=expires_at))
            else:
                row.data = dict(session)
                row.expires_at = expires_at
        session.expires_at = expires_at
        response.set_cookie(
            name, session.sid, expires=expires_at, domain=domain, path=path,
            httponly=self.get_cookie_httponly(app), secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app))
        response.vary.add("Cookie")

    def _delete(self, sid: str) -> None:
        with self.db.transaction() as tx:
            tx.execute(delete(BrowserSession).where(BrowserSession.id_hash == _key(sid)))


def _purge(tx: Session, now: dt.datetime) -> int:
    """Remove up to :data:`PURGE_BATCH` sessions past their expiry; how many went."""
    expired = list(tx.scalars(select(BrowserSession.id_hash)
                              .where(BrowserSession.expires_at <= now).limit(PURGE_BATCH)))
    if expired:
        tx.execute(delete(BrowserSession).where(BrowserSession.id_hash.in_(expired)))
    return len(expired)


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
