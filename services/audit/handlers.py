"""Events audit consumes: ``Handler(event type, schema of the fields read, use case)``.

Handlers run inside the inbox transaction (an event is applied once, even if
delivered twice) and must raise on anything they cannot apply: the event is
retried, then dead-lettered. A service that consumes gets the consumer
component in its deploy files and a dead-letter topic in deploy/kafka/topics.sh.
"""

from __future__ import annotations

from shared.events import Handlers

HANDLERS = Handlers([])
