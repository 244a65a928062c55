"""Runtimes with nothing but a name, a port and dependencies (for ordering and seeding)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import MetaData

from shared.runtime import ServiceRuntime


def bare_runtime(name: str, port: int = 0, depends_on: tuple[str, ...] = (),
                 **parts) -> ServiceRuntime:
    """A runtime called ``name``; ``parts`` sets any other field (``seed``, ``migrations``)."""
    parts.setdefault("migrations", Path("."))
    return ServiceRuntime(name=name, title=name, description=name, metadata=MetaData(),
                          blueprints=list, port=port, depends_on=depends_on, **parts)
