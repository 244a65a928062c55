"""Events audit publishes (topic ``score.audit``; subject = entity id).

Each type is ``EventType("score.audit.<entity>.<action in past tense>.v1", Schema, "...")``;
payload builders live here, beside the schemas, so each type is built one way.
``score contracts`` snapshots the schemas and the AsyncAPI document.
"""

from __future__ import annotations

from shared.events import EventCatalog

EVENTS = EventCatalog([])
