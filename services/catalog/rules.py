"""Pure catalog rules: no database, no clock, no Flask – values in, verdicts out.

Functions named ``*_errors`` return a field → messages map (empty when fine),
so callers can merge several and raise one
:class:`~shared.errors.ValidationFailed` naming every bad field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from shared import indonesia

LANGUAGES = ("id", "en")
TRAINER_ROLES = ("lead", "co")
MAX_TRAINERS = 10
# A Stripe connected account id, as Stripe writes them (acct_1Nv0FGQ9RKHgCVdK).
STRIPE_ACCOUNT_PATTERN = r"^acct_[A-Za-z0-9]+$"

Errors = dict[str, list[str]]
# NPWP rules are the same for every service (shared.indonesia).
normalise_npwp = indonesia.normalise_npwp


def city_key(city: str) -> str:
    """Search key of a city name: trimmed, single-spaced, case-folded."""
    return " ".join(city.split()).casefold()


def session_date_errors(start: dt.date, end: dt.date, deadline: dt.date) -> Errors:
    """End on or after start; enrolment closes on or before the start."""
    errors: Errors = {}
    if end < start:
        errors["end_date"] = ["must be on or after start_date"]
    if deadline > start:
        errors["enrolment_deadline"] = ["must be on or before start_date"]
    return errors


def publishable_date_errors(start: dt.date, deadline: dt.date, today: dt.date) -> Errors:
    """A session can be published only while it has not started and enrolment is open."""
    errors: Errors = {}
    if start < today:
        errors["start_date"] = ["a session that starts in the past cannot be published"]
    if deadline < today:
        errors["enrolment_deadline"] = ["the enrolment deadline has passed"]
    return errors


def trainer_errors(trainers: Iterable[Mapping[str, str]], *, publishing: bool) -> Errors:
    """Distinct trainers, at most one lead; publishing needs exactly one lead."""
    trainers = list(trainers)
    ids = [t["trainer_id"] for t in trainers]
    leads = sum(1 for t in trainers if t["role"] == "lead")
    problems = []
    if len(set(ids)) != len(ids):
        problems.append("a trainer is listed twice")
    if len(trainers) > MAX_TRAINERS:
        problems.append(f"at most {MAX_TRAINERS} trainers")
    if leads > 1:
        problems.append("at most one lead trainer")
    if publishing and leads == 0:
        problems.append("a published session needs a lead trainer")
    return {"trainers": problems} if problems else {}


def capacity_errors(capacity: int, seats_taken: int) -> Errors:
    """Capacity is at least one participant and never below the seats already taken."""
    if capacity < 1:
        return {"capacity": ["must be at least 1"]}
    if capacity < seats_taken:
        return {"capacity": [f"{seats_taken} seats are already taken"]}
    return {}


def seats_free(capacity: int, seats_taken: int) -> int:
    """Free seats (never negative, even if enrolment over-booked)."""
    return max(0, capacity - seats_taken)


def merge(*maps: Errors) -> Errors:
    """One field → messages map from several."""
    out: Errors = {}
    for errors in maps:
        for field, messages in errors.items():
            out.setdefault(field, []).extend(messages)
    return out
