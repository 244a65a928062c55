"""A trainer's module status: every state × every action of the table, directly (pure)."""

import pytest

from services.certification import lifecycle
from services.certification.lifecycle import MODULE_STATUS
from shared.errors import InvalidTransition

STATES = ["candidate", "tot_completed", "in_supervised_delivery", "recommended", "certified",
          "suspended", "expired", "withdrawn", "revoked"]
NON_TERMINAL = STATES[:7]

# The specification, written out: (state, action) -> next state. Every other pair is refused.
MOVES = {
    ("candidate", "complete_tot"): "tot_completed",
    ("candidate", "start_supervised_delivery"): "in_supervised_delivery",  # ToT not required
    ("tot_completed", "start_supervised_delivery"): "in_supervised_delivery",
    ("in_supervised_delivery", "recommend"): "recommended",
    ("in_supervised_delivery", "decline"): "in_supervised_delivery",
    ("in_supervised_delivery", "certify"): "certified",  # recommendation not required
    ("recommended", "certify"): "certified",
    ("recommended", "decline"): "in_supervised_delivery",
    ("certified", "suspend"): "suspended",
    ("certified", "expire"): "expired",
    ("certified", "recertify"): "certified",
    ("certified", "revoke"): "revoked",
    ("suspended", "reinstate"): "certified",
    ("suspended", "revoke"): "revoked",
    ("expired", "recertify"): "certified",
    ("expired", "revoke"): "revoked",
    **{(state, "withdraw"): "withdrawn" for state in NON_TERMINAL},
}
ACTIONS = sorted({action for _state, action in MOVES})
EVERY_PAIR = [(state, action) for state in STATES for action in ACTIONS]


def test_the_table_has_exactly_the_specified_states_and_actions():
    assert MODULE_STATUS.initial == "candidate"
    assert set(MODULE_STATUS.states) == set(STATES)
    assert set(MODULE_STATUS.pairs()) == set(EVERY_PAIR)


@pytest.mark.parametrize(("state", "action"), EVERY_PAIR)
def test_every_state_allows_exactly_the_specified_actions(state, action):
    if (state, action) in MOVES:
        assert MODULE_STATUS.next(state, action) == MOVES[(state, action)]
    else:
        with pytest.raises(InvalidTransition) as refused:
            MODULE_STATUS.next(state, action)
        allowed = sorted(a for (s, a) in MOVES if s == state)
        assert refused.value.errors == {"status": [
            f"module status is {state}; allowed: {', '.join(allowed) or 'nothing'}"]}


def test_withdrawn_and_revoked_are_terminal_and_distinct():
    assert set(lifecycle.TERMINAL) == {"withdrawn", "revoked"}
    for state in lifecycle.TERMINAL:
        assert MODULE_STATUS.actions(state) == set()
    # Only a granted certification can be revoked; anyone may withdraw.
    assert {s for (s, a) in MOVES if a == "revoke"} == {"certified", "suspended", "expired"}


def test_every_state_is_reachable_from_candidate():
    seen, frontier = {"candidate"}, ["candidate"]
    while frontier:
        for target in MODULE_STATUS.transitions.get(frontier.pop(), {}).values():
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(STATES)


def test_the_story_from_candidate_to_certified_and_back_after_expiry():
    path = ["complete_tot", "start_supervised_delivery", "decline", "recommend", "decline",
            "recommend", "certify", "suspend", "reinstate", "expire", "recertify"]
    state = MODULE_STATUS.initial
    visited = [state]
    for action in path:
        state = MODULE_STATUS.next(state, action)
        visited.append(state)
    assert visited == ["candidate", "tot_completed", "in_supervised_delivery",
                       "in_supervised_delivery", "recommended", "in_supervised_delivery",
                       "recommended", "certified", "suspended", "certified", "expired",
                       "certified"]
