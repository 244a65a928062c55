"""Public search pages cached per process, never stale, dropped only when a change can alter them.

Each request reads the current search version and, when it moved, the changes
committed since the version this process's cache has applied, in one statement
(:mod:`services.catalog.search_freshness`). Applying a change drops exactly the
pages it can alter (:class:`search_scope.PageScope`): the pages showing the changed
session and those it now sorts into; a change to providers, courses or several
sessions drops every page. A change of seats only (an enrolment confirmed or
cancelled) drops nothing but pages filtered by free seats that the session now
enters or leaves: the others showing it get the new counts patched in from the
change itself, without a query. A request that sees version ``v`` therefore gets a
page that reflects every change up to ``v``: pages are stored only when computed
at the version the cache has applied (the version is read before the page is
searched, so a page stored at ``v`` is never older than ``v``), and every later
change is applied to them before they are served again.

Keying by the raw query string skips query validation on a hit: a query string
that once passed validation always does (the checks depend on nothing but the
string and the frozen reference data), and an invalid one raises before anything
is stored. Only 200 responses are stored. The cache is a bounded LRU (entries and
bytes).
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import orjson
from flask import current_app, g, request

from services.catalog import search, search_freshness
from services.catalog.search_freshness import Change, SessionState
from services.catalog.search_scope import PageScope
from shared.web import current_db

EXTENSION = "catalog_search_cache"
_PENDING = "catalog_search_pending"


class PageCache:
    """A thread-safe LRU of encoded pages, kept current by applying search changes."""

    def __init__(self, max_entries: int = 1024, max_bytes: int = 32 * 2**20) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._pages: OrderedDict[bytes, _Entry] = OrderedDict()
        self._by_session: dict[str, set[bytes]] = {}
        self._bytes = 0
        self._applied: int | None = None
        self._lock = threading.Lock()
        self.hits = self.misses = self.dropped = self.patched = 0

    @property
    def applied(self) -> int | None:
        """The newest search version whose changes the cached pages reflect."""
        return self._applied

    def catch_up(self, version: int, changes: Iterable[Change]) -> None:
        """Apply ``changes`` (in version order) up to ``version``; drop all if one is missing."""
        with self._lock:
            if self._applied is None:
                self._applied = version  # nothing cached yet: nothing to drop
                return
            if version <= self._applied:
                return
            expected = self._applied + 1
            for change in changes:
                if change.version < expected:
                    continue  # applied already by another request
                if change.version > expected:
                    break
                self._apply_locked(change)
                expected += 1
            if expected <= version:  # changes trimmed or too many: start over
                self._clear_locked()
            self._applied = version

    def get(self, key: bytes) -> bytes | None:
        """The page stored for ``key``, or ``None``."""
        with self._lock:
            entry = self._pages.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return entry.encoded

    def put(self, version: int, key: bytes, page: Mapping[str, Any], scope: PageScope,
            encoded: bytes | None = None) -> None:
        """Store ``page``, computed at ``version`` (ignored unless that is the applied one).

        ``encoded`` is ``page`` as JSON, if already made. The cache owns ``page`` now.
        """
        if encoded is None:
            encoded = orjson.dumps(page)
        if len(encoded) > self.max_bytes:
            return
        with self._lock:
            if version != self._applied:
                return  # a change was applied since: this page may not reflect it
            self._remove_locked(key)
            self._pages[key] = _Entry(encoded, scope, page)
            self._bytes += len(encoded)
            for session_id in scope.ids:
                self._by_session.setdefault(session_id, set()).add(key)
            while len(self._pages) > self.max_entries or self._bytes > self.max_bytes:
                self._remove_locked(next(iter(self._pages)))

    def clear(self) -> None:
        """Forget every page."""
        with self._lock:
            self._clear_locked()

    def _apply_locked(self, change: Change) -> None:
        if change.session_id is None:
            self._clear_locked()
            return
        showing = set(self._by_session.get(change.session_id, ()))
        if change.seats_only and change.state is not None:
            self._apply_seats_locked(change.session_id, change.state, showing)
            return
        doomed = showing
        if change.state is not None:
            doomed.update(key for key, entry in self._pages.items()
                          if entry.scope.could_show(change.session_id, change.state))
        self._drop_locked(doomed)

    def _apply_seats_locked(self, session_id: str, state: SessionState,
                            showing: set[bytes]) -> None:
        """Only seats moved: patch the count where it shows, unless a seat filter changes."""
        doomed = {key for key, entry in self._pages.items()
                  if entry.scope.seat_filtered and (key in showing) != entry.scope.could_show(
                      session_id, state)}
        self._drop_locked(doomed)
        seats = search.seat_fields(state.capacity, state.seats_taken)
        for key in showing - doomed:
            entry = self._pages[key]
            items = entry.page["items"]
            items[:] = [{**item, **seats} if item["id"] == session_id else item
                        for item in items]
            encoded = orjson.dumps(entry.page)
            self._bytes += len(encoded) - len(entry.encoded)
            entry.encoded = encoded
            self.patched += 1

    def _drop_locked(self, keys: Iterable[bytes]) -> None:
        for key in keys:
            self._remove_locked(key)
            self.dropped += 1

    def _remove_locked(self, key: bytes) -> None:
        entry = self._pages.pop(key, None)
        if entry is None:
            return
        scope = entry.scope
        self._bytes -= len(entry.encoded)
        for session_id in scope.ids:
            keys = self._by_session.get(session_id)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_session[session_id]

    def _clear_locked(self) -> None:
        self.dropped += len(self._pages)
        self._pages.clear()
        self._by_session.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._pages)


@dataclasses.dataclass
class _Entry:
    """A cached page: its JSON, its scope and the page itself (to patch seat counts into)."""

    encoded: bytes
    scope: PageScope
    page: Mapping[str, Any]


def init_app(app) -> None:
    """Give ``app`` its page cache."""
    app.extensions[EXTENSION] = PageCache()


def cached_page(view: Callable) -> Callable:
    """Decorator (outermost, above flask-smorest's): serve pages of ``view`` from the cache.

    ``functools.wraps`` keeps flask-smorest's ``_apidoc`` so the OpenAPI document
    still describes every parameter; on a miss the wrapped view validates as usual
    and answers through :func:`page_response`, which stores the page.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        cache: PageCache | None = current_app.extensions.get(EXTENSION)
        if cache is None:
            return view(*args, **kwargs)
        db = current_db()
        version = search_freshness.current_version(db)
        if version is None:  # no version row: nothing could invalidate a page
            return view(*args, **kwargs)
        applied = cache.applied
        if applied is None or version > applied:
            version, changes = search_freshness.changes_since(db, applied)
            if version is None:
                return view(*args, **kwargs)
            cache.catch_up(version, changes)
        key = request.query_string
        page = cache.get(key)
        if page is not None:
            return current_app.response_class(page, mimetype="application/json")
        g.setdefault(_PENDING, (cache, version, key))
        return view(*args, **kwargs)

    return wrapper


def page_response(args: Mapping[str, Any], page: Mapping[str, Any]):
    """``page`` (found for ``args``) as a JSON response, stored if ``cached_page`` asked."""
    body = orjson.dumps(page)
    pending = g.pop(_PENDING, None)
    if pending is not None:
        cache, version, key = pending
        cache.put(version, key, page, PageScope.of(args, page), body)
    return current_app.response_class(body, mimetype="application/json")
