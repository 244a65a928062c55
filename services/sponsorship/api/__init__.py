"""Sponsorship's HTTP API: one blueprint per resource, views only validate and delegate."""

from __future__ import annotations


def blueprints() -> list:
    """Every blueprint of the sponsorship API."""
    from services.sponsorship.api import funds, offers, quotes, reports, sponsors

    return [sponsors.blp, funds.blp, offers.blp, quotes.blp, reports.blp]


# OpenAPI: operations that need a bearer token.
AUTH: dict[str, list[dict[str, list[str]]]] = {"security": [{"bearerAuth": []}]}
