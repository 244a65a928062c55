"""Enrolment's pure rules, table-driven."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.enrolment import rules
from services.enrolment.config import (
    DEFAULT_KPIS,
    DEFAULT_SIZE_BANDS,
    EnrolmentPolicy,
    parse_size_bands,
)
from services.enrolment.rules import TeamMix

POLICY = EnrolmentPolicy(size_bands=parse_size_bands(DEFAULT_SIZE_BANDS))
D = dt.date


@pytest.mark.parametrize(("nib", "ok"), [
    ("1234567890123", True), ("123456789012", False), ("12345678901234", False),
    ("12345678901a3", False), ("", False), ("１２３４５６７８９０１２３", False),
])
def test_a_nib_is_exactly_thirteen_ascii_digits(nib, ok):
    assert (rules.nib_errors(nib) == {}) is ok


@pytest.mark.parametrize(("employees", "band"), [
    (1, "micro"), (4, "micro"), (5, "small"), (19, "small"), (20, "medium"), (99, "medium"),
    (100, "large"), (250, "large"), (10_000, "large"),
])
def test_the_size_class_follows_the_configured_bands(employees, band):
    assert rules.size_class(employees, POLICY.size_bands) == band


@pytest.mark.parametrize(("total", "women", "men", "ok"), [
    (30, 10, 20, True), (30, 10, 19, False), (0, 0, 0, False), (1, 1, 0, True),
])
def test_women_and_men_add_up_to_the_workforce(total, women, men, ok):
    assert (rules.workforce_errors(total, women, men) == {}) is ok


def team(managers: int, workers: int) -> TeamMix:
    return TeamMix(managers=managers, workers=workers, women=managers, men=workers)


@pytest.mark.parametrize(("mix", "course_limit", "ok"), [
    (team(1, 1), 6, True), (team(2, 4), 6, True), (team(1, 0), 6, False),
    (team(0, 2), 6, False), (team(2, 0), 6, False), (team(3, 4), 6, False),
    (team(2, 3), 4, False), (team(1, 3), 4, True),
])
def test_a_team_has_two_to_six_people_with_managers_and_workers(mix, course_limit, ok):
    assert (rules.team_errors(mix, POLICY, course_limit) == {}) is ok


def test_a_team_mix_counts_roles_and_genders():
    mix = TeamMix.of([{"role": "manager", "gender": "female"},
                      {"role": "worker", "gender": "female"},
                      {"role": "worker", "gender": "male"}])
    assert (mix.managers, mix.workers, mix.women, mix.men, mix.size) == (1, 2, 2, 1, 3)


@pytest.mark.parametrize(("status", "deadline", "today", "ok"), [
    ("published", D(2026, 12, 10), D(2026, 12, 10), True),
    ("published", D(2026, 12, 10), D(2026, 12, 11), False),
    ("in_progress", D(2026, 12, 10), D(2026, 12, 1), False),
    ("cancelled", D(2026, 12, 10), D(2026, 12, 1), False),
])
def test_enrolment_is_open_while_published_and_before_the_deadline(status, deadline, today, ok):
    assert (rules.enrolment_window_errors(status, deadline, today) == {}) is ok


@pytest.mark.parametrize(("cancelled_on", "started", "percent"), [
    (D(2026, 12, 1), False, 100), (D(2026, 12, 3), False, 100), (D(2026, 12, 4), False, 50),
    (D(2026, 12, 9), False, 50), (D(2026, 12, 10), False, 0), (D(2026, 12, 1), True, 0),
])
def test_refunds_are_full_a_week_ahead_half_after_and_none_once_started(cancelled_on, started,
                                                                         percent):
    assert rules.refund_percent(cancelled_on, D(2026, 12, 10), started, POLICY) == percent


def test_a_share_never_exceeds_the_amount_and_rounds_down():
    assert rules.share_of(1_500_001, 50) == 750_000
    assert rules.share_of(1_500_000, 100) == 1_500_000
    assert rules.share_of(1_500_000, 0) == 0


def test_invoice_numbers_are_zero_padded_per_provider_and_year():
    assert rules.invoice_number("BEDO", 2026, 42) == "INV/BEDO/2026/000042"


def test_payment_references_carry_check_digits_that_catch_typos():
    reference = rules.payment_reference("BEDO", 2026, 42)
    assert reference.startswith("BEDO26000042") and rules.reference_is_valid(reference)
    typo = reference[:-3] + str((int(reference[-3]) + 1) % 10) + reference[-2:]
    swapped = reference[:6] + reference[7] + reference[6] + reference[8:]
    assert not rules.reference_is_valid(typo)
    assert reference == swapped or not rules.reference_is_valid(swapped)


@pytest.mark.parametrize(("present", "days", "percent", "done"), [
    (2, 2, 100, True), (1, 2, 100, False), (1, 2, 50, True), (2, 3, 75, False),
    (3, 3, 75, True), (0, 1, 1, False),
])
def test_a_participant_completes_with_enough_classroom_days(present, days, percent, done):
    assert rules.participant_completed(present, days, percent) is done


@pytest.mark.parametrize(("code", "baseline", "latest", "improved", "percent"), [
    ("productivity", "10", "15", True, Decimal("50.0")),
    ("productivity", "10", "8", False, Decimal("-20.0")),
    ("defect_rate", "4", "3", True, Decimal("-25.0")),
    ("accidents", "0", "2", False, None),
    ("waste", "5", "5", None, Decimal("0.0")),
])
def test_a_kpi_improves_in_its_own_direction(code, baseline, latest, improved, percent):
    kpi = next(k for k in DEFAULT_KPIS if k.code == code)
    change = rules.kpi_change(kpi, Decimal(baseline), Decimal(latest))
    assert change.improved is improved and change.change_percent == percent


@pytest.mark.parametrize(("start", "end", "kind", "first", "field"), [
    (D(2026, 1, 1), D(2026, 3, 31), "baseline", D(2026, 6, 1), None),
    (D(2026, 1, 1), D(2026, 6, 1), "baseline", D(2026, 6, 1), "period_end"),
    (D(2026, 1, 1), D(2026, 6, 1), "follow_up", D(2026, 6, 1), None),
    (D(2026, 3, 1), D(2026, 1, 1), "follow_up", None, "period_end"),
    (D(2026, 1, 1), D(2027, 1, 1), "follow_up", None, "period_end"),
])
def test_kpi_periods_are_ordered_past_and_baselines_precede_training(start, end, kind, first,
                                                                     field):
    errors = rules.kpi_period_errors(start, end, kind, first, today=D(2026, 11, 29))
    assert list(errors) == ([field] if field else [])


@pytest.mark.parametrize(("day", "days", "today", "ok"), [
    (1, 2, D(2026, 3, 2), True), (2, 2, D(2026, 3, 2), True), (3, 2, D(2026, 3, 9), False),
    (0, 2, D(2026, 3, 9), False), (1, 2, D(2026, 3, 1), False),
])
def test_attendance_is_kept_for_the_classroom_days_once_the_session_began(day, days, today,
                                                                          ok):
    errors = rules.attendance_day_errors(day, days, D(2026, 3, 2), today)
    assert (errors == {}) is ok and (ok or list(errors) == ["day"])


@pytest.mark.parametrize(("on", "done", "ok"), [
    (D(2026, 3, 20), False, True), (D(2026, 3, 10), False, False),
    (D(2026, 3, 1), False, False), (D(2026, 3, 10), True, True),
    (D(2026, 3, 20), True, False), (D(2026, 3, 1), True, False),
])
def test_a_visit_follows_the_start_planned_ahead_recorded_behind(on, done, ok):
    errors = rules.visit_date_errors("on", on, D(2026, 3, 2), D(2026, 3, 15), done=done)
    assert (errors == {}) is ok and (ok or list(errors) == ["on"])
