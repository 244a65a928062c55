"""Audit's HTTP API: one blueprint per resource (feed, log, indicators, reconciliation).

Everything here is a read, except what a platform admin may start (a
reconciliation run); who reads what is :mod:`services.audit.access`.
"""

from __future__ import annotations

from flask_smorest import Blueprint

# OpenAPI: operations that need a bearer token.
AUTH: dict[str, list[dict[str, list[str]]]] = {"security": [{"bearerAuth": []}]}


def blueprints() -> list[Blueprint]:
    """Every blueprint of the audit API."""
    from services.audit.api import feed, indicators, log, reconciliation

    return [feed.blp, log.blp, indicators.blp, reconciliation.blp]
