"""The pongs side: record each ping once; poison pings always fail."""

from sqlalchemy.orm import Session

from shared.events import Handler, Handlers
from tests.support.pingpong.events import PingSent
from tests.support.pingpong.models import Pong


def record_pong(session: Session, event) -> None:
    """Apply a ping: one Pong row per application."""
    if event.data["poison"]:
        raise RuntimeError("poison ping")
    session.add(Pong(event_id=event.id, key=event.data["key"], seq=event.data["seq"]))


HANDLERS = Handlers([Handler("score.pingpong.ping.sent.v1", PingSent, record_pong)])
