"""Domain errors and their one mapping to RFC 9457 problem details.

Use cases raise these; ``shared.web`` turns them into
``application/problem+json`` responses in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    """A caller's request that the domain refuses (always a 4xx)."""

    status = 400
    title = "Bad request"
    type_slug = "bad-request"
    # Response headers the problem needs (e.g. ``Accept`` on a 415).
    headers: Mapping[str, str] = {}

    def __init__(self, detail: str, errors: Mapping[str, Any] | None = None,
                 **members: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = dict(errors or {})
        # Extension members of the problem (RFC 9457 section 3.2), e.g. ``seats_free``.
        self.members = members


class NotFound(DomainError):
    """The resource does not exist, or the caller may not know it exists."""

    status, title, type_slug = 404, "Not found", "not-found"


class Conflict(DomainError):
    """The request clashes with the current state (duplicate, stale, full)."""

    status, title, type_slug = 409, "Conflict", "conflict"


class InvalidTransition(Conflict):
    """A lifecycle transition that the entity's current state does not allow."""

    title, type_slug = "Invalid state transition", "invalid-transition"


class ValidationFailed(DomainError):
    """Input that is well-formed but breaks a rule; ``errors`` maps fields to messages."""

    status, title, type_slug = 422, "Validation failed", "validation-failed"


class Unauthorized(DomainError):
    """Missing, malformed, expired or forged credentials."""

    status, title, type_slug = 401, "Unauthorized", "unauthorized"


class Forbidden(DomainError):
    """Authenticated, but this principal may not do this."""

    status, title, type_slug = 403, "Forbidden", "forbidden"


class TooManyRequests(DomainError):
    """The caller is throttled; ``retry_after`` seconds until the next attempt."""

    status, title, type_slug = 429, "Too many requests", "too-many-requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    type_slug: str | None = None,
    errors: Mapping[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A problem details body (RFC 9457)."""
    body: dict[str, Any] = {
        "type": f"https://score.example/problems/{type_slug}" if type_slug else "about:blank",
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = dict(errors)
    body.update(extra)
    return body
