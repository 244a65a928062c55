"""Catalog's reference data (modules, provinces), kept for a few minutes per process.

Every search page shows both lists; they change with a migration, not with use, so
asking catalog once per :data:`TTL_S` saves two calls on most pages.
"""

from __future__ import annotations

import threading
import time

from services.portal import calls

TTL_S = 300.0
_lock = threading.Lock()
_cache: dict[str, tuple[float, list]] = {}


def items(path: str) -> list:
    """The ``items`` of catalog's ``path`` (``/modules``, ``/provinces``), cached."""
    now = time.monotonic()
    found = _cache.get(path)
    if found is not None and now - found[0] < TTL_S:
        return found[1]
    fresh = calls.get("catalog", path)["items"]
    with _lock:
        _cache[path] = (now, fresh)
    return fresh


def modules() -> list[dict]:
    """The five SCORE modules."""
    return items("/modules")


def provinces() -> list[dict]:
    """Indonesia's provinces, by name."""
    return sorted(items("/provinces"), key=lambda p: p["name"])


def forget() -> None:
    """Drop what is kept (tests)."""
    with _lock:
        _cache.clear()
