"""Pure rules and the lifecycle tables, without a database."""

import datetime as dt

import pytest

from services.catalog import lifecycle, rules
from shared.errors import InvalidTransition

D = dt.date(2026, 3, 10)


@pytest.mark.parametrize(("raw", "expected"), [
    ("0123456789012345", "0123456789012345"),
    (" 9876543210987654 ", "9876543210987654"),
    ("01.234.567.8-901.234", "0012345678901234"),
    ("012345678901234", "0012345678901234"),
])
def test_a_well_formed_npwp_is_normalised_to_sixteen_digits(raw, expected):
    assert rules.normalise_npwp(raw) == expected


@pytest.mark.parametrize("raw", [
    "", "123", "01234567890123456", "0123-4567-8901-2345", "01.234.567.8-901.23",
    "AB.234.567.8-901.234", "01.234.567.8.901.234", "０１２３４５６７８９０１２３４５",
])
def test_a_malformed_npwp_is_refused(raw):
    with pytest.raises(ValueError, match="NPWP"):
        rules.normalise_npwp(raw)


@pytest.mark.parametrize(("start", "end", "deadline", "bad"), [
    (D, D, D, set()),
    (D, D + dt.timedelta(days=1), D - dt.timedelta(days=7), set()),
    (D, D - dt.timedelta(days=1), D, {"end_date"}),
    (D, D, D + dt.timedelta(days=1), {"enrolment_deadline"}),
    (D, D - dt.timedelta(days=1), D + dt.timedelta(days=1), {"end_date", "enrolment_deadline"}),
])
def test_session_dates_must_run_forward(start, end, deadline, bad):
    assert set(rules.session_date_errors(start, end, deadline)) == bad


@pytest.mark.parametrize(("start", "deadline", "bad"), [
    (D, D, set()),
    (D + dt.timedelta(days=5), D, set()),
    (D - dt.timedelta(days=1), D - dt.timedelta(days=1), {"start_date", "enrolment_deadline"}),
    (D + dt.timedelta(days=5), D - dt.timedelta(days=1), {"enrolment_deadline"}),
])
def test_a_session_is_publishable_only_before_it_starts_and_while_enrolment_is_open(
        start, deadline, bad):
    assert set(rules.publishable_date_errors(start, deadline, today=D)) == bad


@pytest.mark.parametrize(("trainers", "publishing", "ok"), [
    ([], False, True),
    ([], True, False),
    ([{"trainer_id": "a", "role": "co"}], True, False),
    ([{"trainer_id": "a", "role": "lead"}], True, True),
    ([{"trainer_id": "a", "role": "lead"}, {"trainer_id": "b", "role": "lead"}], False, False),
    ([{"trainer_id": "a", "role": "lead"}, {"trainer_id": "a", "role": "co"}], False, False),
])
def test_a_session_has_distinct_trainers_and_one_lead_to_publish(trainers, publishing, ok):
    assert (rules.trainer_errors(trainers, publishing=publishing) == {}) is ok


@pytest.mark.parametrize(("capacity", "taken", "ok"), [
    (1, 0, True), (20, 20, True), (0, 0, False), (-1, 0, False), (19, 20, False)])
def test_capacity_is_positive_and_never_below_seats_taken(capacity, taken, ok):
    assert (rules.capacity_errors(capacity, taken) == {}) is ok


def test_free_seats_never_go_negative():
    assert rules.seats_free(20, 25) == 0
    assert rules.seats_free(20, 5) == 15


def test_a_city_key_ignores_case_and_spacing():
    assert rules.city_key("  Jakarta   Selatan ") == rules.city_key("jakarta selatan")


ALLOWED = {
    "provider": {("pending", "approve"), ("approved", "suspend"), ("suspended", "approve"),
                 ("pending", "update"), ("approved", "update"), ("suspended", "update")},
    "course": {("draft", "publish"), ("draft", "archive"), ("published", "archive"),
               ("draft", "update"), ("published", "update")},
    "session": {("draft", "publish"), ("draft", "cancel"), ("published", "start"),
                ("published", "cancel"), ("in_progress", "complete"),
                ("in_progress", "cancel"), ("draft", "update"), ("published", "update")},
}
MACHINES = {"provider": lifecycle.PROVIDER, "course": lifecycle.COURSE,
            "session": lifecycle.SESSION}


@pytest.mark.parametrize(("name", "state", "action"), [
    (name, state, action) for name, machine in MACHINES.items()
    for state, action in machine.pairs()])
def test_each_lifecycle_allows_exactly_its_documented_transitions(name, state, action):
    machine = MACHINES[name]
    if (state, action) in ALLOWED[name]:
        assert machine.next(state, action) in machine.states
    else:
        with pytest.raises(InvalidTransition):
            machine.next(state, action)


def test_terminal_states_allow_nothing():
    assert lifecycle.SESSION.actions("completed") == set()
    assert lifecycle.SESSION.actions("cancelled") == set()
    assert lifecycle.COURSE.actions("archived") == set()
