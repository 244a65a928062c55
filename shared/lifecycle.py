"""State machines as data: which actions each state allows and where they lead.

A service declares its entities' lifecycles as tables (``services/<name>/lifecycle.py``)::

    SESSION = Lifecycle("session", "draft", {
        "draft": {"publish": "published", "cancel": "cancelled", "update": "draft"},
        ...
    })

Entities ask ``SESSION.next(self.status, "publish")`` for their next state; any
pair not in the table raises :class:`~shared.errors.InvalidTransition` (409)
naming the allowed actions. ``update`` as a self-transition names the states in
which an entity may still be edited. Test the table directly, every pair
(``pairs()``); HTTP tests need only a sample of it.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.errors import InvalidTransition


class Lifecycle:
    """A finite state machine: ``{state: {action: next_state}}``."""

    def __init__(self, entity: str, initial: str,
                 transitions: Mapping[str, Mapping[str, str]]) -> None:
        self.entity = entity
        self.initial = initial
        self.transitions = {state: dict(actions) for state, actions in transitions.items()}
        targets = {t for actions in self.transitions.values() for t in actions.values()}
        self.states = tuple(dict.fromkeys([initial, *self.transitions, *sorted(targets)]))

    def next(self, state: str, action: str) -> str:
        """The state ``action`` leads to from ``state``, or :class:`InvalidTransition`."""
        target = self.transitions.get(state, {}).get(action)
        if target is None:
            raise InvalidTransition(
                f"cannot {action} a {state} {self.entity}",
                errors={"status": [f"{self.entity} is {state}; allowed: "
                                   f"{', '.join(sorted(self.actions(state))) or 'nothing'}"]})
        return target

    def actions(self, state: str) -> set[str]:
        """Actions allowed in ``state``."""
        return set(self.transitions.get(state, {}))

    def pairs(self) -> list[tuple[str, str]]:
        """Every (state, action) combination, allowed or not (for table-driven tests)."""
        actions = sorted({a for acts in self.transitions.values() for a in acts})
        return [(state, action) for state in self.states for action in actions]
