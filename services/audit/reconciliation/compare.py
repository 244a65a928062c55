"""The comparison rules: where the log's projection and a service's state differ.

For one kind, every entity either side knows is compared:

- known to the log, absent from the service (or the reverse): one difference on
  ``exists``, ``"true"`` on the side that has it, null on the other;
- known to both: one difference per metric whose values differ.

Values are compared and reported as text (integers as digits), so a count of
``0`` and ``"0"`` agree and a missing value (null) differs from every other.
Each difference names the last logged event about the entity (none when the
log never mentioned it): the event after which the two stories part.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from services.audit.reconciliation.kinds import Kind
from services.audit.reconciliation.projection import Projected

EXISTS = "exists"
MAX_VALUE = 200


@dataclasses.dataclass(frozen=True)
class Found:
    """One difference, as stored and reported."""

    service: str
    endpoint: str
    entity: str
    entity_id: str
    field: str
    log_value: str | None
    service_value: str | None
    last_seq: int | None
    last_event_id: str | None


def as_text(value: Any) -> str | None:
    """A value as reported: text as is, everything else as JSON (null stays None)."""
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text[:MAX_VALUE]


def compare(kind: Kind, logged: Mapping[str, Projected],
            observed: Mapping[str, Mapping[str, Any]]) -> list[Found]:
    """Every difference between ``logged`` and ``observed`` entities of ``kind``, by id."""
    found = []
    for entity_id in sorted(set(logged) | set(observed)):
        projected, state = logged.get(entity_id), observed.get(entity_id)

        def difference(field: str, log_value: Any, service_value: Any,
                       entity_id: str = entity_id,
                       projected: Projected | None = projected) -> Found:
            return Found(kind.service, kind.endpoint, kind.entity, entity_id, field,
                         as_text(log_value), as_text(service_value),
                         projected.seq if projected else None,
                         projected.event_id if projected else None)

        if projected is None or state is None:
            found.append(difference(EXISTS, "true" if projected else None,
                                    "true" if state is not None else None))
            continue
        for metric in kind.metrics:
            log_value, service_value = projected.values.get(metric), state.get(metric)
            if as_text(log_value) != as_text(service_value):
                found.append(difference(metric, log_value, service_value))
    return found
