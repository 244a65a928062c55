"""Certification rules as data, and a rule engine that explains what is missing.

:class:`ModuleRules` are one module's thresholds; :class:`CertificationRules` all five,
with a stable :attr:`~CertificationRules.version` (a hash of the effective
configuration) that every :class:`Assessment` records. The thresholds are not
published SCORE facts (DOMAIN.md): :data:`DEFAULT_MODULE_RULES` is our choice, and
operators override it with ``SCORE_CERTIFICATION_RULES`` (:mod:`.config`).

:func:`evaluate` is pure: an :class:`Evidence` summary (what the events said about one
trainer in one module), the rules and the day in, an :class:`Assessment` out. Nothing
is stored or changed, so a change of rules re-evaluates the same evidence: history
(the evidence, the lifecycle's decisions, earlier assessments with their
``rules_version``) stays, only the new assessment differs.

Every failed rule gives one :class:`Missing` with a stable code, all of them, not
only the first. Sessions led count toward the co-delivered minimum too: leading a
session is delivering it, so ``min_sessions_co`` reads "delivered at least N sessions,
as lead or co-trainer", and more leading never makes a trainer less eligible.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Mapping
from typing import Any, Literal

MODULE_CODES = ("M1", "M2", "M3", "M4", "M5")

# The ladder of statuses the evidence can support, lowest first.
STATUSES = ("candidate", "tot_completed", "in_supervised_delivery",
            "ready_for_recommendation", "eligible_for_certification")


@dataclasses.dataclass(frozen=True)
class ModuleRules:
    """What one module asks before certification, and how long certification lasts."""

    tot_required: bool = True
    min_sessions_lead: int = 1
    min_sessions_co: int = 2  # delivered as lead or co-trainer (lead counts too)
    min_visits: int = 4
    report_accepted_required: bool = True
    recommendation_required: bool = True
    validity_months: int = 36
    recertification_window_days: int = 90  # due for recertification this long before expiry


# Our choice, not published (DOMAIN.md): one supervised cycle – ToT, co-deliver a
# classroom session, lead one, visit the 4–5 enterprises of a workshop, a progress
# report accepted by an expert trainer who then recommends; valid three years.
DEFAULT_MODULE_RULES = ModuleRules()


@dataclasses.dataclass(frozen=True)
class CertificationRules:
    """The rules of every module, and the version of that configuration."""

    modules: Mapping[str, ModuleRules]

    def for_module(self, module: str) -> ModuleRules:
        """The rules of ``module`` (KeyError for a code that is no SCORE module)."""
        return self.modules[module]

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """The effective configuration as JSON data, module by module."""
        return {code: dataclasses.asdict(self.modules[code]) for code in sorted(self.modules)}

    @functools.cached_property
    def version(self) -> str:
        """A stable hash of the effective configuration: equal rules, equal version."""
        canonical = json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"))
        return "rules-" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def default_rules() -> CertificationRules:
    """Every module on :data:`DEFAULT_MODULE_RULES`."""
    return CertificationRules({code: DEFAULT_MODULE_RULES for code in MODULE_CODES})


@dataclasses.dataclass(frozen=True)
class Recommendation:
    """An expert trainer's latest verdict on a trainer's module, with comments."""

    verdict: Literal["recommend", "decline"]
    by: str
    comments: str = ""
    on: dt.date | None = None


@dataclasses.dataclass(frozen=True)
class Evidence:
    """What the events say about one trainer in one module, summarised as counts.

    ``sessions_lead`` / ``sessions_co``: completed sessions (catalog ``session.completed``)
    with the trainer as lead / as co-trainer; ``visits``: consultancy visits made
    (enrolment ``visit.recorded``); ``recommendation``: the latest verdict only.
    """

    module: str
    tot_completed: dt.date | None = None
    sessions_lead: int = 0
    sessions_co: int = 0
    visits: int = 0
    reports_uploaded: int = 0
    report_accepted: bool = False
    recommendation: Recommendation | None = None
    certified_at: dt.date | None = None

    @property
    def delivered_anything(self) -> bool:
        """Any sign of supervised delivery (a session, a visit or a report)."""
        return bool(self.sessions_lead or self.sessions_co or self.visits
                    or self.reports_uploaded or self.report_accepted)


@dataclasses.dataclass(frozen=True)
class Missing:
    """A rule the evidence does not meet: a stable code, words, what is there and needed."""

    code: str
    detail: str
    have: int | bool | str | None
    need: int | bool | str


@dataclasses.dataclass(frozen=True)
class Assessment:
    """What the evidence supports under one version of the rules, and why not more."""

    module: str
    status: str
    missing: tuple[Missing, ...]
    rules_version: str
    evaluated_on: dt.date
    expires_on: dt.date | None = None  # of the certification, when certified_at is known
    recertification_due: bool = False
    expired: bool = False

    @property
    def codes(self) -> list[str]:
        """The codes of the missing items, in the engine's order."""
        return [m.code for m in self.missing]


def evaluate(evidence: Evidence, rules: CertificationRules, today: dt.date) -> Assessment:
    """Assess ``evidence`` against its module's rules: the supported status, what is missing."""
    own = rules.for_module(evidence.module)
    tot = _tot(evidence, own)
    delivery = [m for m in (_sessions_lead(evidence, own), _sessions_co(evidence, own),
                            _visits(evidence, own), _report(evidence, own)) if m]
    recommendation = _recommendation(evidence, own)
    if tot:
        status = "candidate"
    elif delivery:
        status = "in_supervised_delivery" if evidence.delivered_anything else "tot_completed"
    elif recommendation:
        status = "ready_for_recommendation"
    else:
        status = "eligible_for_certification"
    missing = tuple(m for m in (tot, *delivery, recommendation) if m)
    return Assessment(evidence.module, status, missing, rules.version, today,
                      **_validity(evidence.certified_at, own, today))


def _validity(certified_at: dt.date | None, rules: ModuleRules,
              today: dt.date) -> dict[str, Any]:
    if certified_at is None:
        return {}
    ends = expires_on(certified_at, rules)
    return {"expires_on": ends, "expired": today >= ends,
            "recertification_due": due_for_recertification(certified_at, rules, today)}


def _tot(evidence: Evidence, rules: ModuleRules) -> Missing | None:
    if rules.tot_required and evidence.tot_completed is None:
        return Missing("MISSING_TOT", f"no Training of Trainers for {evidence.module} on record",
                       False, True)
    return None


def _at_least(code: str, what: str, have: int, need: int) -> Missing | None:
    if have < need:
        return Missing(code, f"{have} {what}; the rules ask at least {need}", have, need)
    return None


def _sessions_lead(evidence: Evidence, rules: ModuleRules) -> Missing | None:
    return _at_least("TOO_FEW_SESSIONS_LEAD", "sessions led", evidence.sessions_lead,
                     rules.min_sessions_lead)


def _sessions_co(evidence: Evidence, rules: ModuleRules) -> Missing | None:
    return _at_least("TOO_FEW_SESSIONS_CO", "sessions delivered as lead or co-trainer",
                     evidence.sessions_lead + evidence.sessions_co, rules.min_sessions_co)


def _visits(evidence: Evidence, rules: ModuleRules) -> Missing | None:
    return _at_least("TOO_FEW_VISITS", "consultancy visits", evidence.visits, rules.min_visits)


def _report(evidence: Evidence, rules: ModuleRules) -> Missing | None:
    if rules.report_accepted_required and not evidence.report_accepted:
        detail = (f"{evidence.reports_uploaded} progress report(s) uploaded, none accepted yet"
                  if evidence.reports_uploaded else "no progress report uploaded")
        return Missing("REPORT_NOT_ACCEPTED", detail, False, True)
    return None


def _recommendation(evidence: Evidence, rules: ModuleRules) -> Missing | None:
    verdict = evidence.recommendation
    if not rules.recommendation_required or (verdict and verdict.verdict == "recommend"):
        return None
    if verdict is None:
        return Missing("NO_RECOMMENDATION", "no expert trainer has recommended certification",
                       None, "recommend")
    comments = f": {verdict.comments}" if verdict.comments else ""
    return Missing("RECOMMENDATION_DECLINED",
                   f"expert trainer {verdict.by} declined to recommend{comments}",
                   "decline", "recommend")


def expires_on(certified_at: dt.date, rules: ModuleRules) -> dt.date:
    """The first day a certification of ``certified_at`` is no longer valid.

    Calendar months; a day the month lacks becomes its last (31 Jan + 1 month: 28/29 Feb).
    """
    months = certified_at.month - 1 + rules.validity_months
    year, month = certified_at.year + months // 12, months % 12 + 1
    day = min(certified_at.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def due_for_recertification(certified_at: dt.date, rules: ModuleRules, today: dt.date) -> bool:
    """True from the recertification window's first day on (expiry included)."""
    window_opens = expires_on(certified_at, rules) - dt.timedelta(
        days=rules.recertification_window_days)
    return today >= window_opens
