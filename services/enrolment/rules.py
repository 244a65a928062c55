"""Pure enrolment rules: no database, no clock, no Flask – values in, verdicts out.

Functions named ``*_errors`` return a field → messages map (empty when fine), so
callers merge several and raise one :class:`~shared.errors.ValidationFailed`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from services.enrolment.config import EnrolmentPolicy, KpiDefinition, SizeBand
from shared import indonesia

Errors = dict[str, list[str]]
GENDERS = ("female", "male")
TEAM_ROLES = ("manager", "worker")


def merge(*maps: Mapping[str, list[str]]) -> Errors:
    """One field → messages map from several."""
    out: Errors = {}
    for errors in maps:
        for field, messages in errors.items():
            out.setdefault(field, []).extend(messages)
    return out


# ---------------------------------------------------------------- SMEs


def nib_errors(nib: str) -> Errors:
    """NIB (Nomor Induk Berusaha, the OSS business number): exactly 13 digits."""
    return {} if indonesia.is_nib(nib) else {"nib": ["NIB must be exactly 13 digits"]}


def workforce_errors(total: int, women: int, men: int) -> Errors:
    """Employees: at least one, and women + men add up to the total."""
    errors: Errors = {}
    if total < 1:
        errors["employees_total"] = ["an enterprise has at least one employee"]
    elif women + men != total:
        errors["employees_total"] = [f"women ({women}) + men ({men}) must equal the total"]
    return errors


def size_class(employees: int, bands: Sequence[SizeBand]) -> str:
    """The size band ``employees`` falls in (bands are contiguous from 1, the last open)."""
    for band in bands:
        if employees >= band.low and (band.high is None or employees <= band.high):
            return band.name
    raise ValueError(f"no size band for {employees} employees")


# ---------------------------------------------------------------- teams


@dataclasses.dataclass(frozen=True)
class TeamMix:
    """Who a team is: counts by role and gender."""

    managers: int
    workers: int
    women: int
    men: int

    @property
    def size(self) -> int:
        """Participants in the team."""
        return self.managers + self.workers

    @classmethod
    def of(cls, participants: Iterable[Mapping[str, str]]) -> TeamMix:
        """Count ``participants`` (each with ``role`` and ``gender``)."""
        people = list(participants)
        return cls(managers=sum(p["role"] == "manager" for p in people),
                   workers=sum(p["role"] == "worker" for p in people),
                   women=sum(p["gender"] == "female" for p in people),
                   men=sum(p["gender"] == "male" for p in people))


def team_errors(mix: TeamMix, policy: EnrolmentPolicy, max_per_enterprise: int) -> Errors:
    """Team size within the policy and the course's limit; enough managers and workers."""
    messages = []
    largest = min(policy.team_max, max_per_enterprise)
    if not policy.team_min <= mix.size <= largest:
        messages.append(f"a team has {policy.team_min}–{largest} participants, not {mix.size}")
    if mix.managers < policy.team_min_managers:
        messages.append(f"at least {policy.team_min_managers} manager(s) must take part")
    if mix.workers < policy.team_min_workers:
        messages.append(f"at least {policy.team_min_workers} worker(s) must take part")
    return {"participants": messages} if messages else {}


def enrolment_window_errors(status: str, deadline: dt.date, today: dt.date) -> Errors:
    """Enrolment is open while the session is published and its deadline has not passed."""
    if status != "published":
        return {"session_id": [f"the session is {status}; enrolment is closed"]}
    if today > deadline:
        return {"session_id": [f"enrolment closed on {deadline.isoformat()}"]}
    return {}


# ---------------------------------------------------------------- money


def refund_percent(cancelled_on: dt.date, start_date: dt.date, started: bool,
                   policy: EnrolmentPolicy) -> int:
    """Share of the SME's payment refunded when it cancels on ``cancelled_on``."""
    if started or cancelled_on >= start_date:
        return 0
    if (start_date - cancelled_on).days >= policy.refund_full_days_before_start:
        return 100
    return policy.refund_late_percent


def share_of(amount: int, percent: int) -> int:
    """``percent`` of ``amount`` whole rupiah, rounded down (never refund more than paid)."""
    return amount * percent // 100


def invoice_number(provider_code: str, year: int, sequence: int) -> str:
    """``INV/<PROVIDER>/<YEAR>/<000123>``: gapless per provider and year."""
    return f"INV/{provider_code}/{year}/{sequence:06d}"


def payment_reference(provider_code: str, year: int, sequence: int) -> str:
    """What the SME writes on its transfer: provider, year, sequence and ISO 7064 check digits.

    The check digits (mod 97-10, as in IBANs) catch a mistyped digit or a swap, so
    the provider can match a transfer to its invoice with confidence.
    """
    body = f"{provider_code}{year % 100:02d}{sequence:06d}"
    numeric = int("".join(str(int(c, 36)) for c in body) + "00")
    return f"{body}{98 - numeric % 97:02d}"


def reference_is_valid(reference: str) -> bool:
    """True when ``reference``'s check digits match (see :func:`payment_reference`)."""
    if len(reference) < 3 or not reference.isalnum():
        return False
    numeric = int("".join(str(int(c, 36)) for c in reference[:-2]) + reference[-2:])
    return numeric % 97 == 1


# ---------------------------------------------------------------- completion


def attendance_required(classroom_days: int, min_percent: int) -> int:
    """Classroom days a participant must attend to complete."""
    return max(1, math.ceil(classroom_days * min_percent / 100))


def participant_completed(days_present: int, classroom_days: int, min_percent: int) -> bool:
    """Did a participant attend enough classroom days?"""
    return days_present >= attendance_required(classroom_days, min_percent)


# ---------------------------------------------------------------- delivery


def attendance_day_errors(day: int, classroom_days: int, start_date: dt.date,
                          today: dt.date) -> Errors:
    """Attendance is kept for classroom days 1..``classroom_days``, once the session began."""
    if not 1 <= day <= classroom_days:
        return {"day": [f"the session has classroom days 1 to {classroom_days}"]}
    if today < start_date:
        return {"day": [f"the session starts on {start_date.isoformat()}; attendance is "
                        "recorded from then"]}
    return {}


def visit_date_errors(field: str, on: dt.date, session_start: dt.date, today: dt.date, *,
                      done: bool) -> Errors:
    """A visit follows the session's start; a planned one lies ahead, a recorded one behind."""
    if on < session_start:
        return {field: [f"visits follow the session's start ({session_start.isoformat()})"]}
    if done and on > today:
        return {field: ["a visit is recorded once it has taken place"]}
    if not done and on < today:
        return {field: ["a visit is scheduled for today or later"]}
    return {}


# ---------------------------------------------------------------- KPIs


@dataclasses.dataclass(frozen=True)
class KpiChange:
    """Baseline vs latest follow-up of one KPI."""

    baseline: Decimal
    latest: Decimal
    change: Decimal
    change_percent: Decimal | None
    improved: bool | None


def kpi_change(kpi: KpiDefinition, baseline: Decimal, latest: Decimal) -> KpiChange:
    """How a KPI moved, and whether that is better (by its direction)."""
    change = latest - baseline
    percent = None if baseline == 0 else (change * 100 / abs(baseline)).quantize(Decimal("0.1"))
    improved = None if change == 0 else (change > 0) == (kpi.direction == "higher_is_better")
    return KpiChange(baseline, latest, change, percent, improved)


def kpi_period_errors(period_start: dt.date, period_end: dt.date, kind: str,
                      first_session_start: dt.date | None, today: dt.date) -> Errors:
    """A period ends after it starts and not in the future; a baseline precedes the training."""
    errors: Errors = {}
    if period_end < period_start:
        errors["period_end"] = ["must be on or after period_start"]
    elif period_end > today:
        errors["period_end"] = ["a measurement period cannot end in the future"]
    elif kind == "baseline" and first_session_start is not None \
            and period_end >= first_session_start:
        errors["period_end"] = [f"a baseline is measured before the first module "
                                f"(starts {first_session_start.isoformat()})"]
    return errors
