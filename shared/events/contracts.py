"""Event contracts: JSON Schema snapshots per event type, their compatibility rule, AsyncAPI 3.

Within a major version a payload may only gain optional fields. The committed
snapshot under ``contracts/events/`` is the promise made to consumers; the
compatibility test compares each current schema with it. ``score contracts``
rewrites the snapshots (for new types or new optional fields) and the AsyncAPI
document ``contracts/asyncapi.yaml``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from shared.config import project_root
from shared.events.envelope import CONTENT_TYPE
from shared.events.registry import EventType, SchemaClass
from shared.runtime import ServiceRuntime

CONTRACTS_DIR = project_root() / "contracts"


def json_schema(schema: SchemaClass) -> dict[str, Any]:
    """The JSON Schema (OpenAPI 3 flavour) of a marshmallow schema, nested schemas inlined."""
    plugin = MarshmallowPlugin(schema_name_resolver=_inline)
    APISpec("contracts", "1", "3.0.3", plugins=[plugin])
    assert plugin.converter is not None
    return plugin.converter.schema2jsonschema(schema)


def _inline(_schema: Any) -> Any:
    # apispec inlines a nested schema when its name resolver returns None.
    return None


def snapshot(event_type: EventType) -> dict[str, Any]:
    """What is committed for one event type."""
    return {"type": event_type.type, "topic": event_type.topic,
            "description": event_type.description, "schema": json_schema(event_type.schema)}


def snapshot_path(event_type: EventType, directory: Path = CONTRACTS_DIR) -> Path:
    """Where the committed snapshot of ``event_type`` lives."""
    return directory / "events" / f"{event_type.type}.json"


def incompatibilities(old: dict[str, Any], new: dict[str, Any], path: str = "") -> list[str]:
    """Why ``new`` would break a consumer written against ``old`` (empty: compatible)."""
    problems = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, before in old_props.items():
        where = f"{path}{name}"
        if name not in new_props:
            problems.append(f"{where}: removed")
            continue
        problems += _field_changes(before, new_props[name], where)
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    problems += [f"{path}{n}: became required" for n in sorted(new_required - old_required)]
    problems += [f"{path}{n}: no longer required" for n in sorted(old_required - new_required)]
    return problems


def _field_changes(before: dict, after: dict, where: str) -> list[str]:
    problems = []
    for attribute in ("type", "format"):
        if before.get(attribute) != after.get(attribute):
            problems.append(f"{where}: {attribute} {before.get(attribute)!r} -> "
                            f"{after.get(attribute)!r}")
    if after.get("nullable") and not before.get("nullable"):
        problems.append(f"{where}: became nullable")
    if "enum" in before and set(after.get("enum", [])) - set(before["enum"]):
        problems.append(f"{where}: enum gained values consumers do not know")
    if before.get("type") == "object":
        problems += incompatibilities(before, after, f"{where}.")
    if before.get("type") == "array":
        problems += _field_changes(before.get("items", {}), after.get("items", {}), f"{where}[]")
    return problems


def write_snapshots(runtimes: list[ServiceRuntime], directory: Path = CONTRACTS_DIR) -> None:
    """Write (or refresh) the snapshot of every published event type."""
    for runtime in runtimes:
        for event_type in runtime.events:
            path = snapshot_path(event_type, directory)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(snapshot(event_type), indent=2, sort_keys=True) + "\n")


def asyncapi_document(runtimes: list[ServiceRuntime]) -> dict[str, Any]:
    """An AsyncAPI 3.0.0 document of every topic, message and publish/consume operation."""
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for runtime in runtimes:
        for event_type in runtime.events:
            _add_message(channels, messages, event_type.topic, event_type.type,
                         event_type.schema, event_type.description, runtime.name)
    for runtime in runtimes:
        published = {t.type: t for t in runtime.events}
        if published:
            operations[f"{runtime.name}.publish"] = _operation(
                "send", published[next(iter(published))].topic, list(published),
                f"{runtime.name} publishes through its transactional outbox")
        if runtime.handlers is not None:
            for handler in runtime.handlers:
                topic = f"score.{handler.type.split('.')[1]}"
                if handler.type not in messages:
                    _add_message(channels, messages, topic, handler.type, handler.schema,
                                 f"Declared by its consumer, {runtime.name} (contracts/consumers"
                                 f"/{runtime.name}); the producer is not built yet and will be "
                                 "checked against it.", handler.type.split(".")[1])
            by_topic: dict[str, list[str]] = {}
            for handler in runtime.handlers:
                by_topic.setdefault(f"score.{handler.type.split('.')[1]}", []).append(handler.type)
            for topic, types in sorted(by_topic.items()):
                operations[f"{runtime.name}.consume.{topic}"] = _operation(
                    "receive", topic, types, f"consumer group score-{runtime.name}")
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "SCORE Marketplace events", "version": "1.0.0",
                 "description": "Every state change of the marketplace, as CloudEvents 1.0 in "
                                "structured JSON mode, one topic per service, keyed by the "
                                "aggregate id. Dead letters go to <topic>.dlq.<group>."},
        "defaultContentType": CONTENT_TYPE,
        "servers": {"production": {"host": "kafka:9092", "protocol": "kafka",
                                   "description": "Apache Kafka 4 (KRaft)"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def _add_message(channels, messages, topic, type_, schema, description, service) -> None:
    channel = channels.setdefault(topic, {
        "address": topic, "description": f"Events published by the {service} service.",
        "messages": {}})
    channel["messages"][type_] = {"$ref": f"#/components/messages/{type_}"}
    messages[type_] = {
        "name": type_, "title": type_, "summary": description or type_,
        "contentType": CONTENT_TYPE,
        "payload": {"type": "object", "required": ["specversion", "id", "source", "type",
                                                    "subject", "time", "data"],
                    "properties": {"specversion": {"type": "string", "const": "1.0"},
                                   "id": {"type": "string", "format": "uuid"},
                                   "source": {"type": "string"},
                                   "type": {"type": "string", "const": type_},
                                   "subject": {"type": "string"},
                                   "time": {"type": "string", "format": "date-time"},
                                   "providerid": {"type": "string"},
                                   "dataschema": {"type": "string"},
                                   "data": json_schema(schema)}},
        "bindings": {"kafka": {"key": {"type": "string",
                                       "description": "aggregate id (the event's subject)"}}},
    }


def _operation(action: str, topic: str, types: list[str], description: str) -> dict[str, Any]:
    return {"action": action, "description": description,
            "channel": {"$ref": f"#/channels/{topic}"},
            "messages": [{"$ref": f"#/channels/{topic}/messages/{t}"} for t in types]}


def asyncapi_yaml(runtimes: list[ServiceRuntime]) -> str:
    """The AsyncAPI document as YAML text."""
    import yaml

    return yaml.safe_dump(asyncapi_document(runtimes), sort_keys=False, allow_unicode=True)
