"""The pure tests every lifecycle table gets: its states, and every state × action pair.

A test module writes its specification out – ``(machine, {(state, action): next},
[states, initial first])`` per table – and takes the two tests::

    test_states, test_pairs = lifecycle_table_tests(TABLES)

Every pair the specification does not list must be refused with the problem's
``status`` field naming the allowed actions.
"""

from __future__ import annotations

import pytest

from shared.errors import InvalidTransition
from shared.lifecycle import Lifecycle

Table = tuple[Lifecycle, dict[tuple[str, str], str], list[str]]


def lifecycle_table_tests(tables: list[Table]):
    """The two parametrised tests of ``tables`` (assign them to module-level ``test_`` names)."""
    every_pair = [(machine, moves, state, action) for machine, moves, states in tables
                  for state in states for action in sorted({a for _s, a in moves})]

    @pytest.mark.parametrize(("machine", "moves", "states"), tables,
                             ids=lambda v: getattr(v, "entity", ""))
    def test_each_lifecycle_has_exactly_the_specified_states_and_actions(machine, moves, states):
        assert machine.initial == states[0]
        assert set(machine.states) == set(states)
        assert set(machine.pairs()) == {(s, a) for s in states for _s, a in moves}

    @pytest.mark.parametrize(("machine", "moves", "state", "action"), every_pair,
                             ids=lambda v: v if isinstance(v, str) else getattr(v, "entity", ""))
    def test_every_state_allows_exactly_the_specified_actions(machine, moves, state, action):
        if (state, action) in moves:
            assert machine.next(state, action) == moves[(state, action)]
        else:
            with pytest.raises(InvalidTransition) as refused:
                machine.next(state, action)
            allowed = sorted(a for (s, a) in moves if s == state)
            assert refused.value.errors == {"status": [
                f"{machine.entity} is {state}; allowed: {', '.join(allowed) or 'nothing'}"]}

    return (test_each_lifecycle_has_exactly_the_specified_states_and_actions,
            test_every_state_allows_exactly_the_specified_actions)
