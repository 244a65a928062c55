"""The log's projections: the latest state of each entity, as its events state it.

Every entity kind (:mod:`services.audit.reconciliation.kinds`) has a projector that
reads the log's events in ``seq`` order and keeps, per entity id, the metrics the
owning service can state exactly – and the last event that touched the entity.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from shared.events.envelope import EventEnvelope, MalformedEvent


@dataclasses.dataclass
class Projected:
    """An entity as the log states it, and the last event about it."""

    values: dict[str, Any]
    seq: int
    event_id: str


class Projector:
    """Turns the events of one entity kind into ``{entity id: Projected}``."""

    def __init__(self) -> None:
        self.entities: dict[str, Projected] = {}

    def accepts(self, event_type: str) -> bool:  # pragma: no cover - abstract
        """Whether events of ``event_type`` are about this kind."""
        raise NotImplementedError

    def apply(self, seq: int, event: EventEnvelope) -> None:  # pragma: no cover - abstract
        """Fold one event into the entities."""
        raise NotImplementedError

    def _touch(self, entity_id: str, seq: int, event: EventEnvelope) -> Projected:
        """The entity's projection, now last touched by ``event``."""
        found = self.entities.get(entity_id)
        if found is None:
            found = self.entities[entity_id] = Projected({}, seq, event.id)
        found.seq, found.event_id = seq, event.id
        return found


class Snapshots(Projector):
    """Kinds whose every event carries the entity's current fields (``status``...)."""

    def __init__(self, types: Callable[[str], bool], key: Callable[[dict], str],
                 fields: tuple[str, ...]) -> None:
        super().__init__()
        self.types, self.key, self.fields = types, key, fields

    def accepts(self, event_type: str) -> bool:
        """Whether the type is one of the kind's."""
        return self.types(event_type)

    def apply(self, seq: int, event: EventEnvelope) -> None:
        """The event's fields become the entity's."""
        projected = self._touch(self.key(event.data), seq, event)
        projected.values.update({name: event.data.get(name) for name in self.fields})


class FundLedgers(Projector):
    """Funds' balances from the movements the log reports, as sponsorship's ledger sums them.

    ``deposited`` and ``adjusted`` add up the ``movement`` of ``fund.deposited`` and
    ``fund.adjusted``; a reservation's lines (``units``, in each fund's unit) are
    ``reserved`` when it is created, move to ``committed`` on commit (straight to
    ``committed`` when a released reservation is committed late), leave ``reserved``
    on release and ``committed`` on reversal. ``status`` is the last ``fund.*`` event's.
    """

    FUND = "score.sponsorship.fund."
    RESERVATION = "score.sponsorship.reservation."

    def __init__(self) -> None:
        super().__init__()
        self._reservations: dict[str, str] = {}  # reservation id -> its last status

    def accepts(self, event_type: str) -> bool:
        """``fund.*`` and ``reservation.*`` events."""
        return event_type.startswith((self.FUND, self.RESERVATION))

    def apply(self, seq: int, event: EventEnvelope) -> None:
        """Add the event's movements to the funds it names."""
        data = event.data
        if event.type.startswith(self.FUND):
            fund = self._fund(data["fund_id"], seq, event)
            fund["status"] = data.get("status")
            movement = data.get("movement") or {}
            if movement.get("kind") == "deposit":
                fund["deposited"] += movement.get("amount", 0)
            elif movement.get("kind") == "adjustment":
                fund["adjusted"] += movement.get("amount", 0)
            return
        action = event.type.removeprefix(self.RESERVATION).split(".")[0]
        before = self._reservations.get(data["reservation_id"])
        self._reservations[data["reservation_id"]] = data.get("status", action)
        for line in data.get("lines") or ():
            fund = self._fund(line["fund_id"], seq, event)
            units = line.get("units", 0)
            if action == "created":
                fund["reserved"] += units
            elif action == "committed":
                if before != "released":
                    fund["reserved"] -= units
                fund["committed"] += units
            elif action == "released":
                fund["reserved"] -= units
            elif action == "reversed":
                fund["committed"] -= units

    def _fund(self, fund_id: str, seq: int, event: EventEnvelope) -> dict[str, Any]:
        projected = self._touch(fund_id, seq, event)
        for name in ("deposited", "adjusted", "reserved", "committed"):
            projected.values.setdefault(name, 0)
        projected.values.setdefault("status", None)
        return projected.values


def project(events: Iterable[tuple[int, bytes]],
            projectors: Iterable[Projector]) -> int:
    """Feed every logged ``(seq, event bytes)`` to the projectors that accept its type.

    Returns how many entries were read. An entry that no longer parses cannot be
    projected; it is the Merkle checks' business, not the reconciliation's.
    """
    chosen = list(projectors)
    read = 0
    for seq, raw in events:
        read += 1
        try:
            event = EventEnvelope.from_bytes(raw)
        except MalformedEvent:
            continue
        for projector in chosen:
            if projector.accepts(event.type):
                projector.apply(seq, event)
    return read
