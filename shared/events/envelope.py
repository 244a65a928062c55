"""CloudEvents 1.0 envelope in structured JSON mode (the whole event is the Kafka value).

Structured mode keeps every attribute inside the message value, so a message
copied to a dead-letter topic or a file is still a complete event. The Kafka
header ``content-type: application/cloudevents+json`` marks the mode.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

CONTENT_TYPE = "application/cloudevents+json"
SCHEMA_BASE = "https://score.example/schemas/events"
_FORMAT = JSONFormat()


class MalformedEvent(ValueError):
    """Bytes that are not a valid CloudEvent of ours (never retried: dead-lettered)."""


@dataclasses.dataclass(frozen=True)
class EventEnvelope:
    """A CloudEvent as the project uses it: attributes plus a JSON object payload."""

    id: str
    source: str
    type: str
    subject: str
    time: dt.datetime
    data: dict[str, Any]
    providerid: str | None = None

    @classmethod
    def new(
        cls, source: str, type_: str, subject: str, data: dict[str, Any],
        providerid: str | None = None,
    ) -> EventEnvelope:
        """A fresh event with a random id, stamped now (UTC)."""
        return cls(
            id=str(uuid.uuid4()), source=source, type=type_, subject=subject,
            time=dt.datetime.now(dt.UTC), data=data, providerid=providerid,
        )

    @property
    def dataschema(self) -> str:
        """Where the payload's schema is documented."""
        return f"{SCHEMA_BASE}/{self.type}.json"

    def to_bytes(self) -> bytes:
        """Structured-mode JSON bytes."""
        attributes: dict[str, Any] = {
            "specversion": "1.0",
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": self.time,
            "datacontenttype": "application/json",
            "dataschema": self.dataschema,
        }
        if self.providerid:
            attributes["providerid"] = self.providerid
        return _FORMAT.write(CloudEvent(attributes=attributes, data=self.data))

    @classmethod
    def from_bytes(cls, raw: bytes) -> EventEnvelope:
        """Parse structured-mode JSON; raise :class:`MalformedEvent` on anything else."""
        try:
            event = _FORMAT.read(CloudEvent, raw)
        except (BaseCloudEventException, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise MalformedEvent(f"not a CloudEvent: {exc}") from exc
        attrs = event.get_attributes()
        data = event.get_data()
        if not isinstance(data, dict):
            raise MalformedEvent("event data must be a JSON object")
        if not attrs.get("subject") or not attrs.get("time"):
            raise MalformedEvent("event needs a subject and a time")
        return cls(
            id=attrs["id"], source=attrs["source"], type=attrs["type"],
            subject=attrs["subject"], time=attrs["time"], data=data,
            providerid=attrs.get("providerid"),
        )
