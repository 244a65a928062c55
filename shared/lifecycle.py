"""Lifecycles (finite state machines) as data, for every service's entities.

Each :class:`Lifecycle` maps a state to the actions allowed in it and the state
each action leads to. Entities ask it for their next state; anything not in
the table raises :class:`~shared.errors.InvalidTransition` (409). Tests drive
every ``pairs()`` combination straight through the table.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import CheckConstraint

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

    def check_constraint(self, column: str = "status") -> CheckConstraint:
        """A CHECK constraint (named ``column``) admitting only this machine's states."""
        states = ", ".join(f"'{s}'" for s in self.states)
        return CheckConstraint(f"{column} IN ({states})", name=column)
