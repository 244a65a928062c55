"""The portal has no JSON API of its own: its pages are in ``web/``.

The shared app still serves ``/healthz``, ``/readyz``, ``/metrics`` and an (empty)
``/openapi.json``, so the portal is operated like every service.
"""

from __future__ import annotations

from flask_smorest import Blueprint


def blueprints() -> list[Blueprint]:
    """No API blueprints."""
    return []
