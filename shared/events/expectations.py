"""Consumer-side event contracts: what each handler needs from the events it consumes.

A producer's snapshot (``contracts/events/<type>.json``) promises what it sends; a
consumer's expectation (``contracts/consumers/<service>/<type>.json``) records what
its handler's schema requires. The contract test checks every expectation against
the producer's snapshot – or, while the producing service is not built yet, keeps
the expectation committed so the producer is checked against it once it is.
``score contracts`` rewrites the expectations from the handlers.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from shared.events.contracts import CONTRACTS_DIR, json_schema
from shared.events.registry import Handler
from shared.runtime import ServiceRuntime

_LOWER_BOUNDS = ("minLength", "minimum", "minItems")
_UPPER_BOUNDS = ("maxLength", "maximum", "maxItems")


def expectation(handler: Handler, consumer: str) -> dict[str, Any]:
    """What is committed for one consumed event type."""
    return {"type": handler.type, "consumer": consumer,
            "schema": _tolerant(json_schema(handler.schema))}


def _tolerant(schema: Any) -> Any:
    # Handlers ignore fields they do not know (shared.events.registry): say so.
    if isinstance(schema, dict):
        return {k: _tolerant(v) for k, v in schema.items() if k != "additionalProperties"}
    if isinstance(schema, list):
        return [_tolerant(v) for v in schema]
    return schema


def expectation_path(event_type: str, consumer: str, directory: Path = CONTRACTS_DIR) -> Path:
    """Where ``consumer``'s expectation of ``event_type`` lives."""
    return directory / "consumers" / consumer / f"{event_type}.json"


def write_expectations(runtimes: list[ServiceRuntime], directory: Path = CONTRACTS_DIR) -> None:
    """Write (or refresh) the expectation of every handler of every service."""
    for runtime in runtimes:
        for handler in runtime.handlers or []:
            path = expectation_path(handler.type, runtime.name, directory)
            path.parent.mkdir(parents=True, exist_ok=True)
            document = expectation(handler, runtime.name)
            path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")


def committed_expectations(directory: Path = CONTRACTS_DIR) -> list[dict[str, Any]]:
    """Every committed expectation, by consumer then type."""
    return [json.loads(path.read_text())
            for path in sorted((directory / "consumers").glob("*/*.json"))]


def unmet(producer: dict[str, Any], consumer: dict[str, Any], path: str = "") -> list[str]:
    """Why a payload valid for ``producer`` could fail ``consumer`` (empty: consumer served)."""
    problems = []
    sent, always_sent = producer.get("properties", {}), set(producer.get("required", []))
    for name in consumer.get("required", []):
        if name not in sent:
            problems.append(f"{path}{name}: required by the consumer, never sent")
        elif name not in always_sent:
            problems.append(f"{path}{name}: required by the consumer, optional for the producer")
    for name, wanted in consumer.get("properties", {}).items():
        if name in sent:
            problems += _value_unmet(sent[name], wanted, f"{path}{name}")
    return problems


def _value_unmet(sent: dict, wanted: dict, where: str) -> list[str]:
    problems = []
    if "type" in wanted and sent.get("type") != wanted["type"] \
            and (wanted["type"], sent.get("type")) != ("number", "integer"):
        problems.append(f"{where}: sent as {sent.get('type')!r}, read as {wanted['type']!r}")
    for attribute in ("format", "pattern"):
        if attribute in wanted and sent.get(attribute) != wanted[attribute]:
            problems.append(f"{where}: {attribute} {sent.get(attribute)!r}, "
                            f"consumer wants {wanted[attribute]!r}")
    if sent.get("nullable") and not wanted.get("nullable"):
        problems.append(f"{where}: may be sent as null, consumer refuses null")
    if "enum" in wanted and ("enum" not in sent or not set(sent["enum"]) <= set(wanted["enum"])):
        problems.append(f"{where}: may be sent with values the consumer does not know")
    problems += [f"{where}: {bound} {sent.get(bound)!r}, consumer wants {wanted[bound]!r}"
                 for bound in _LOWER_BOUNDS
                 if bound in wanted and sent.get(bound, -math.inf) < wanted[bound]]
    problems += [f"{where}: {bound} {sent.get(bound)!r}, consumer wants {wanted[bound]!r}"
                 for bound in _UPPER_BOUNDS
                 if bound in wanted and sent.get(bound, math.inf) > wanted[bound]]
    if wanted.get("type") == "object":
        problems += unmet(sent, wanted, f"{where}.")
    if wanted.get("type") == "array":
        problems += _value_unmet(sent.get("items", {}), wanted.get("items", {}), f"{where}[]")
    return problems
