"""The catalog's HTTP API: one blueprint per resource, views only validate and delegate."""

from __future__ import annotations


def blueprints() -> list:
    """Every blueprint of the catalog API."""
    from services.catalog.api import courses, providers, reference, sessions, trainers

    return [reference.blp, providers.blp, courses.blp, sessions.blp, trainers.blp]


# OpenAPI: operations that need a bearer token.
AUTH: dict[str, list[dict[str, list[str]]]] = {"security": [{"bearerAuth": []}]}
