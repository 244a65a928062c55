"""A tiny two-sided test service for the event backbone and the shared web layer.

``pingpong`` publishes ``score.pingpong.ping.sent.v1`` from an API call;
``pongs`` (same code, its own database and consumer group) applies each ping
by recording it. The tests count the records: exactly once means one each.
"""

from __future__ import annotations

from pathlib import Path

from shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def runtime() -> ServiceRuntime:
    """The publishing side."""
    from tests.support.pingpong import events, models

    return ServiceRuntime(name="pingpong", title="Ping test service", description="test only",
                          metadata=models.Base.metadata, migrations=MIGRATIONS,
                          blueprints=_blueprints, events=events.EVENTS)


def _blueprints() -> list:
    # Imported for an app only: the relay processes the crash tests start by the dozen
    # need no Flask views (about 0.5 s of imports each).
    from tests.support.pingpong import api

    return [api.blp]


def pongs_runtime() -> ServiceRuntime:
    """The consuming side."""
    from tests.support.pingpong import handlers, models

    return ServiceRuntime(name="pongs", title="Pong test service", description="test only",
                          metadata=models.Base.metadata, migrations=MIGRATIONS,
                          blueprints=lambda: [], handlers=handlers.HANDLERS)


def create_app(config=None):
    """The pingpong API app."""
    from shared.web import create_service_app

    return create_service_app(runtime(), config)
