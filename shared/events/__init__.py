"""The event backbone: CloudEvents envelope, registry, outbox, relay, consumer, buses.

Use cases call :func:`publish` inside their transaction; the relay moves
outbox rows to the bus; a :class:`~shared.events.consumer.ConsumerRunner`
applies consumed events exactly once through the inbox.
"""

from shared.events.envelope import EventEnvelope, MalformedEvent
from shared.events.outbox import publish
from shared.events.registry import EventCatalog, EventType, Handler, Handlers

__all__ = [
    "EventCatalog",
    "EventEnvelope",
    "EventType",
    "Handler",
    "Handlers",
    "MalformedEvent",
    "publish",
]
