"""Public search pages cached per process, never stale.

A page is cached under ``(search version, raw query string)``. The version is the
one row of ``catalog_search_version``, bumped in the same transaction as any
change to providers, courses or sessions (listeners in :mod:`services.catalog.models`),
and read once per request. A request that sees version ``v`` therefore gets a page
computed at ``v`` or later: the version is read before the page is searched, so a
page stored under ``v`` is never older than ``v``.

Keying by the raw query string skips query validation on a hit: a query string
that once passed validation always does (the checks depend on nothing but the
string and the frozen reference data), and an invalid one raises before anything
is stored. Only 200 responses are stored. The cache is a bounded LRU (entries
and bytes); entries of an older version are dropped once a newer one is seen.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app, request

from services.catalog import search
from shared.web import current_db

EXTENSION = "catalog_search_cache"


class PageCache:
    """A thread-safe LRU of encoded pages for the newest search version seen."""

    def __init__(self, max_entries: int = 1024, max_bytes: int = 32 * 2**20) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._pages: OrderedDict[bytes, bytes] = OrderedDict()
        self._bytes = 0
        self._version = -1
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, version: int, key: bytes) -> bytes | None:
        """The page stored for ``key`` at ``version``, or ``None``."""
        with self._lock:
            page = self._pages.get(key) if version == self._version else None
            if page is None:
                self.misses += 1
            else:
                self._pages.move_to_end(key)
                self.hits += 1
            return page

    def put(self, version: int, key: bytes, page: bytes) -> None:
        """Store ``page``; a newer ``version`` drops every older page first."""
        if len(page) > self.max_bytes:
            return
        with self._lock:
            if version < self._version:
                return  # computed before a change another request has already seen
            if version > self._version:
                self._clear_locked()
                self._version = version
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= len(old)
            self._pages[key] = page
            self._bytes += len(page)
            while len(self._pages) > self.max_entries or self._bytes > self.max_bytes:
                _key, evicted = self._pages.popitem(last=False)
                self._bytes -= len(evicted)

    def clear(self) -> None:
        """Forget every page."""
        with self._lock:
            self._clear_locked()

    def _clear_locked(self) -> None:
        self._pages.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._pages)


def init_app(app) -> None:
    """Give ``app`` its page cache."""
    app.extensions[EXTENSION] = PageCache()


def cached_page(view: Callable) -> Callable:
    """Decorator (outermost, above flask-smorest's): serve and store pages of ``view``.

    ``functools.wraps`` keeps flask-smorest's ``_apidoc`` so the OpenAPI document
    still describes every parameter; on a miss the wrapped view validates as usual.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        cache: PageCache | None = current_app.extensions.get(EXTENSION)
        if cache is None:
            return view(*args, **kwargs)
        version = search.search_version(current_db())
        if version is None:  # no version row: nothing could invalidate a page
            return view(*args, **kwargs)
        key = request.query_string
        page = cache.get(version, key)
        if page is not None:
            return current_app.response_class(page, mimetype="application/json")
        response = view(*args, **kwargs)
        if response.status_code == 200:
            cache.put(version, key, response.get_data())
        return response

    return wrapper
