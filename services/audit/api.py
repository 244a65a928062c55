"""Audit's HTTP API: one blueprint per resource; views validate, delegate, return.

A view is a ``MethodView`` method of a few lines whose one-line docstring is the
operation's OpenAPI summary. Writes take ``@roles_required(...)`` (above
``@blp.arguments``) and ``@blp.doc(**AUTH)``; reads scope tenant data with
``shared.auth.scope_to_tenant``. Split into ``api/<resource>.py`` past ~300 lines.
"""

from __future__ import annotations

from flask_smorest import Blueprint

# OpenAPI: operations that need a bearer token.
AUTH: dict[str, list[dict[str, list[str]]]] = {"security": [{"bearerAuth": []}]}


def blueprints() -> list[Blueprint]:
    """Every blueprint of the audit API."""
    return []
