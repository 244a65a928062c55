"""Certification's HTTP API: one blueprint per resource; views validate, delegate, return.

Writes take ``@roles_required(...)`` (above ``@blp.arguments``) and
``@blp.doc(**AUTH)``; creating POSTs take ``@idempotent(blp)``. Who may read a
trainer is :mod:`services.certification.access`'s word.
"""

from __future__ import annotations

from shared.auth import ROLES

# Reads need a token (any role): who may read what is access.py's word, after that.
READERS = ROLES
# OpenAPI: operations that need a bearer token.
AUTH: dict[str, list[dict[str, list[str]]]] = {"security": [{"bearerAuth": []}]}


def blueprints() -> list:
    """Every blueprint of the certification API."""
    from services.certification.api import (
        credentials,
        decisions,
        progress,
        recommendations,
        reports,
        trainers,
        wellknown,
    )

    # Credentials, status lists, verification and the issuer's keys are public.
    return [trainers.blp, progress.blp, reports.blp, recommendations.blp, decisions.blp,
            credentials.blp, wellknown.blp]
