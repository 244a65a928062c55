"""Event types a service publishes, and the handlers a service runs for consumed events.

A type name reads ``score.<service>.<entity>.<action>.v<major>``. Its payload is
a marshmallow schema, checked when published (unknown fields refused) and when
consumed (the consumer's own schema; unknown fields ignored, so producers may
add optional fields within a major version).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError

SchemaClass = type[Schema]

TYPE_PATTERN = re.compile(r"^score\.(?P<service>[a-z]+)\.[a-z_]+\.[a-z_]+\.v(?P<major>\d+)$")


class EventSchemaError(ValueError):
    """A payload that does not match its declared schema."""

    def __init__(self, event_type: str, errors: dict) -> None:
        super().__init__(f"{event_type}: {errors}")
        self.errors = errors


@dataclasses.dataclass(frozen=True)
class EventType:
    """One published event type: its name, payload schema and topic."""

    type: str
    schema: SchemaClass
    description: str = ""

    def __post_init__(self) -> None:
        if not TYPE_PATTERN.match(self.type):
            raise ValueError(f"event type {self.type!r} must read score.<svc>.<entity>.<action>.vN")

    @functools.cached_property
    def _strict(self) -> Schema:
        # Built once: publishing is on every use case's path. Schemas keep no per-call state.
        return self.schema(unknown=RAISE)

    @property
    def service(self) -> str:
        """The publishing service (the second segment of the name)."""
        return self.type.split(".")[1]

    @property
    def topic(self) -> str:
        """One topic per service stream."""
        return f"score.{self.service}"

    @property
    def source(self) -> str:
        """CloudEvents ``source`` of this type."""
        return f"/score/{self.service}"

    @property
    def major(self) -> int:
        """Major version: a breaking change makes a new type."""
        return int(self.type.rsplit(".v", 1)[1])

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        """The payload as JSON-ready data, or :class:`EventSchemaError`."""
        schema = self._strict
        try:
            loaded = schema.load(data)
        except ValidationError as exc:
            raise EventSchemaError(self.type, exc.normalized_messages()) from exc
        naive = _naive_timestamps(loaded)
        if naive:
            # A consumer cannot place a timestamp without an offset in time.
            raise EventSchemaError(self.type, {name: ["timestamp without a UTC offset"]
                                               for name in naive})
        return schema.dump(loaded)


def _naive_timestamps(value: Any, path: str = "") -> list[str]:
    """Where in a loaded payload a datetime lacks its timezone."""
    if isinstance(value, dt.datetime):
        return [path or "_schema"] if value.tzinfo is None else []
    if isinstance(value, dict):
        return [p for key, item in value.items()
                for p in _naive_timestamps(item, f"{path}.{key}" if path else str(key))]
    if isinstance(value, list):
        return [p for index, item in enumerate(value)
                for p in _naive_timestamps(item, f"{path}[{index}]")]
    return []


class EventCatalog:
    """The event types one service publishes, by name."""

    def __init__(self, types: Iterable[EventType]) -> None:
        self._types = {t.type: t for t in types}

    def __getitem__(self, name: str) -> EventType:
        return self._types[name]

    def __iter__(self) -> Iterator[EventType]:
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)

    @property
    def topics(self) -> set[str]:
        """Topics these types are published on."""
        return {t.topic for t in self}


@dataclasses.dataclass(frozen=True)
class Handler:
    """A consumed event type, the consumer's view of its payload, and the use case to run."""

    type: str
    schema: SchemaClass
    apply: Callable[..., None]

    @functools.cached_property
    def _tolerant(self) -> Schema:
        return self.schema(unknown=EXCLUDE)

    def load(self, data: dict[str, Any]) -> dict[str, Any]:
        """Validate a consumed payload (tolerant reader: unknown fields ignored)."""
        try:
            return self._tolerant.load(data)
        except ValidationError as exc:
            raise EventSchemaError(self.type, exc.normalized_messages()) from exc


class Handlers:
    """A consumer's handlers by event type, plus the topics they come from."""

    def __init__(self, handlers: Iterable[Handler]) -> None:
        self._by_type = {h.type: h for h in handlers}

    def get(self, event_type: str) -> Handler | None:
        """The handler for ``event_type``; ``None`` means "not ours, skip"."""
        return self._by_type.get(event_type)

    @property
    def topics(self) -> list[str]:
        """Topics to subscribe to, derived from the handled types."""
        return sorted({f"score.{t.split('.')[1]}" for t in self._by_type})

    def __len__(self) -> int:
        return len(self._by_type)

    def __iter__(self) -> Iterator[Handler]:
        return iter(self._by_type.values())
