"""Enrolment's policy: every number the domain leaves to us, from settings, checked once.

Settings arrive as ``SCORE_ENROLMENT_<NAME>`` (``Settings.extra``). The defaults
are our choices, not published SCORE facts (DOMAIN.md): team size 2–6 with at
least one manager and one worker, holds of 45 minutes, invoices due in 7 days,
a full refund up to 7 days before the start and half after, completion with
every classroom day attended, BPS enterprise size bands by employees, and a
platform fee of 5 % on what providers earn (settlement statements; our choice,
not a SCORE tariff).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.config import ConfigError, Settings

MIN_HOLD_MINUTES = 30  # a Stripe Checkout Session lives at least 30 minutes
# Our choice, not a SCORE tariff: the platform's share of what a provider earns.
DEFAULT_PLATFORM_FEE_PERCENT = Decimal(5)
# Below 50 %: a fee above half of the money is a typo, not a business model.
MAX_PLATFORM_FEE_PERCENT = Decimal(50)

# BPS classes by number of workers (micro 1–4, small 5–19, medium 20–99, large 100+).
DEFAULT_SIZE_BANDS = "micro:1-4,small:5-19,medium:20-99,large:100-"


@dataclasses.dataclass(frozen=True)
class SizeBand:
    """An enterprise size class: ``low``..``high`` employees (``high`` None: no upper bound)."""

    name: str
    low: int
    high: int | None


@dataclasses.dataclass(frozen=True)
class KpiDefinition:
    """An enterprise KPI: what it measures, its unit, and which way is better."""

    code: str
    name_id: str
    name_en: str
    unit: str
    direction: str  # "higher_is_better" | "lower_is_better"


DEFAULT_KPIS = (
    KpiDefinition("productivity", "Produktivitas", "Productivity", "output per worker hour",
                  "higher_is_better"),
    KpiDefinition("defect_rate", "Tingkat cacat", "Defect rate", "% of output",
                  "lower_is_better"),
    KpiDefinition("absenteeism", "Ketidakhadiran", "Absenteeism", "% of workdays",
                  "lower_is_better"),
    KpiDefinition("staff_turnover", "Perputaran karyawan", "Staff turnover", "% per year",
                  "lower_is_better"),
    KpiDefinition("accidents", "Kecelakaan kerja", "Accidents", "logged accidents",
                  "lower_is_better"),
    KpiDefinition("energy_use", "Penggunaan energi", "Energy use", "kWh per month",
                  "lower_is_better"),
    KpiDefinition("waste", "Limbah", "Waste", "kg per month", "lower_is_better"),
    KpiDefinition("suggestions_implemented", "Saran pekerja diterapkan",
                  "Worker suggestions implemented", "per month", "higher_is_better"),
)
DIRECTIONS = ("higher_is_better", "lower_is_better")


@dataclasses.dataclass(frozen=True)
class EnrolmentPolicy:
    """Team rules, holds, invoices, refunds, completion, size bands and KPIs."""

    team_min: int = 2
    team_max: int = 6
    team_min_managers: int = 1
    team_min_workers: int = 1
    hold_minutes: int = 45
    card_expiry_grace_s: int = 120
    bank_due_days: int = 7
    refund_full_days_before_start: int = 7
    refund_late_percent: int = 50
    completion_min_attendance_percent: int = 100
    reaper_interval_s: float = 5.0
    size_bands: tuple[SizeBand, ...] = ()
    kpis: tuple[KpiDefinition, ...] = DEFAULT_KPIS
    platform_fee_percent: Decimal = DEFAULT_PLATFORM_FEE_PERCENT

    def kpi(self, code: str) -> KpiDefinition | None:
        """The KPI definition named ``code``."""
        return next((k for k in self.kpis if k.code == code), None)


_INTS = ("team_min", "team_max", "team_min_managers", "team_min_workers", "hold_minutes",
         "card_expiry_grace_s", "bank_due_days", "refund_full_days_before_start",
         "refund_late_percent", "completion_min_attendance_percent")


def load_policy(settings: Settings) -> EnrolmentPolicy:
    """The policy from ``settings`` (defaults above); :class:`ConfigError` when unusable."""
    values: dict[str, Any] = {}
    for name in _INTS:
        raw = settings.get(name)
        if raw is not None:
            values[name] = _int(name, raw)
    if settings.get("reaper_interval_s") is not None:
        values["reaper_interval_s"] = float(settings.get("reaper_interval_s"))
    values["size_bands"] = parse_size_bands(settings.get("size_bands", DEFAULT_SIZE_BANDS))
    if settings.get("kpis"):
        values["kpis"] = parse_kpis(settings.get("kpis"))
    # Empty is unset (an env file's "NAME=" line): the default applies.
    if str(settings.get("platform_fee_percent") or "").strip():
        values["platform_fee_percent"] = parse_fee_percent(settings.get("platform_fee_percent"))
    policy = EnrolmentPolicy(**values)
    _check(policy)
    return policy


def _int(name: str, raw: Any) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"SCORE_ENROLMENT_{name.upper()} must be an integer") from exc


def _check(policy: EnrolmentPolicy) -> None:
    if not 1 <= policy.team_min <= policy.team_max:
        raise ConfigError("team size: need 1 <= TEAM_MIN <= TEAM_MAX")
    if policy.team_min_managers + policy.team_min_workers > policy.team_max:
        raise ConfigError("team size: the minimum managers and workers exceed TEAM_MAX")
    if policy.hold_minutes < MIN_HOLD_MINUTES:
        raise ConfigError(f"HOLD_MINUTES must be at least {MIN_HOLD_MINUTES} "
                          "(a Stripe Checkout Session lives at least that long)")
    if not 0 <= policy.refund_late_percent <= 100:
        raise ConfigError("REFUND_LATE_PERCENT must be 0..100")
    if not 1 <= policy.completion_min_attendance_percent <= 100:
        raise ConfigError("COMPLETION_MIN_ATTENDANCE_PERCENT must be 1..100")
    if policy.bank_due_days < 1:
        raise ConfigError("BANK_DUE_DAYS must be at least 1")


def parse_fee_percent(raw: object) -> Decimal:
    """``"5"``, ``"2.5"``: a percentage 0..50 with at most two decimals (exact, no float)."""
    try:
        percent = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise ConfigError("SCORE_ENROLMENT_PLATFORM_FEE_PERCENT must be a number "
                          f"(e.g. 5 or 2.5), not {raw!r}") from exc
    if not percent.is_finite() or not 0 <= percent <= MAX_PLATFORM_FEE_PERCENT:
        raise ConfigError(f"SCORE_ENROLMENT_PLATFORM_FEE_PERCENT must be 0.."
                          f"{MAX_PLATFORM_FEE_PERCENT}, not {raw!r}")
    if percent != percent.quantize(Decimal("0.01")):
        raise ConfigError("SCORE_ENROLMENT_PLATFORM_FEE_PERCENT has at most two decimals")
    return percent


def parse_size_bands(raw: str) -> tuple[SizeBand, ...]:
    """``"micro:1-4,small:5-19,medium:20-99,large:100-"`` → contiguous bands from 1 up."""
    bands = []
    try:
        for part in raw.split(","):
            name, _, span = part.strip().partition(":")
            low, _, high = span.partition("-")
            bands.append(SizeBand(name.strip(), int(low), int(high) if high.strip() else None))
    except ValueError as exc:
        raise ConfigError(f"SIZE_BANDS {raw!r}: use name:low-high,...,name:low-") from exc
    expected = 1
    for band in bands:
        if not band.name or band.low != expected or (band.high is not None
                                                     and band.high < band.low):
            raise ConfigError(f"SIZE_BANDS {raw!r}: bands must be contiguous from 1")
        expected = (band.high or 0) + 1
    if bands[-1].high is not None:
        raise ConfigError(f"SIZE_BANDS {raw!r}: the last band must be open-ended (name:low-)")
    return tuple(bands)


def parse_kpis(raw: str | list) -> tuple[KpiDefinition, ...]:
    """KPI definitions from JSON: ``[{"code", "name_id", "name_en", "unit", "direction"}]``."""
    try:
        items = json.loads(raw) if isinstance(raw, str) else raw
        kpis = tuple(KpiDefinition(**_kpi_fields(item)) for item in items)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"KPIS must be a JSON list of KPI definitions: {exc}") from exc
    codes = [k.code for k in kpis]
    if not kpis or len(set(codes)) != len(codes):
        raise ConfigError("KPIS must define at least one KPI, each code once")
    if any(k.direction not in DIRECTIONS for k in kpis):
        raise ConfigError(f"KPIS: direction must be one of {DIRECTIONS}")
    return kpis


def _kpi_fields(item: Mapping[str, Any]) -> dict[str, str]:
    names = {f.name for f in dataclasses.fields(KpiDefinition)}
    if set(item) != names:
        raise ValueError(f"each KPI needs exactly {sorted(names)}")
    return {k: str(v) for k, v in item.items()}


_installed: list[EnrolmentPolicy] = []


def install(policy: EnrolmentPolicy) -> None:
    """Make ``policy`` the process's policy (the app does this at start)."""
    _installed.append(policy)


def current_policy() -> EnrolmentPolicy:
    """The process's policy: the app's, or – in a consumer or job process – the environment's."""
    if not _installed:
        from shared.config import load_settings

        install(load_policy(load_settings("enrolment")))
    return _installed[-1]
