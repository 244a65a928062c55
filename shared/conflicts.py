"""Run a use case again when PostgreSQL aborted its transaction to break a deadlock.

Row locks taken in one order everywhere cannot deadlock, but a unique index is a
lock too: an insert into a partial unique index waits for the transaction that
last changed a conflicting row, whatever else that transaction is waiting for. When
PostgreSQL's detector finds such a cycle (SQLSTATE ``40P01``), or a serializable
transaction cannot be ordered (``40001``), it aborts one transaction and the right
move is what the client would do: start that use case again on fresh data. The
aborted transaction changed nothing, so running the whole function again is safe
as long as everything it does happens in that transaction (the outbox, queued
emails) or is a call the other side de-duplicates by a deterministic idempotency
key (a Stripe refund keyed ``refund:<payment id>`` returns the first refund again).
Other calls to outside services must not be wrapped.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
ATTEMPTS = 4

P = ParamSpec("P")
R = TypeVar("R")


def is_retryable(exc: BaseException) -> bool:
    """The database aborted the transaction to resolve a conflict; trying again may succeed."""
    if not isinstance(exc, DBAPIError):
        return False
    return getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def retry_conflicts(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorator: call ``fn`` again (up to :data:`ATTEMPTS` times in all, after a short
    random pause) when its transaction was aborted by a deadlock or serialization failure."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return fn(*args, **kwargs)
            except DBAPIError as exc:
                if attempt == ATTEMPTS or not is_retryable(exc):
                    raise
                log.info("transaction aborted by a conflict; trying again",
                         extra={"use_case": fn.__qualname__, "attempt": attempt,
                                "sqlstate": getattr(exc.orig, "sqlstate", None)})
                # A random pause, growing with each attempt, so the two sides of a
                # deadlock do not meet again in step.
                time.sleep(random.uniform(0, 0.02 * attempt))
        raise AssertionError("unreachable")

    return wrapper
