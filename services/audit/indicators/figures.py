"""Phase III indicators from the projection's state, for one slice, against the targets.

Definitions (what each row counts; every figure comes from logged events only):

- ``providers_independent``: providers approved as of the state with at least one
  delivered (``session.completed``) session that is not ``ilo_supervised``;
- ``sessions_delivered_direct`` / ``_independent``: delivered sessions, by
  ``ilo_supervised``, in the period of their completion and their province;
- ``smes_trained_direct``: SMEs with a team member who completed an ILO-supervised
  session; ``smes_trained_indirect``: SMEs who completed an independent one and no
  supervised one (the target says "200 more", so no SME counts twice);
- ``participants_*``: participants who completed, managers and workers, and the
  women's share;
- ``trainers`` (registered in the slice) and ``trainers_certified`` (certified in
  at least one module as of the state, counted in the period of their first
  certification), each with the women's share;
- ``cost_recovery_percent``: of the sessions delivered in the slice, (SME payments
  net of refunds + sponsor commitments net of reversals) ÷ their delivery cost
  estimates (catalog's ``estimated_delivery_cost``); its parts are rows of their own;
- ``sponsor_money_<kind>``: sponsor money committed (net of reversals) in the
  period, by the sponsor's kind; ``lead_buyer_collaborations``: lead-buyer sponsors
  whose committed money in the slice is positive;
- ``case_studies_published``: case studies published (SME's province).

A provider's slice counts what its own sessions did; case studies belong to no
provider, so they are null there.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from services.audit.indicators.periods import SliceFilter
from services.audit.indicators.projection import CERTIFIED, State

SPONSOR_KINDS = ("ministry", "donor", "lead_buyer", "association", "other")
TENTH = Decimal("0.1")


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to one decimal; None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, ROUND_HALF_UP)


def indicators(state: State, targets: dict[str, Decimal], where: SliceFilter) -> list[dict]:
    """Every indicator row for the slice ``where``, with its target and progress."""
    rows: list[tuple[str, str, Any]] = []
    rows += _delivery(state, where)
    rows += _trainers(state, where)
    rows += _money(state, where)
    cases = (None if where.provider is not None else
             sum(n for key, n in state["case_studies"].items() if where.matches(key)))
    rows.append(("case_studies_published", "count", cases))
    return [_row(code, unit, value, targets.get(code)) for code, unit, value in rows]


def _row(code: str, unit: str, value: Any, target: Decimal | None) -> dict[str, Any]:
    progress = None if value is None or target is None else percent(value, target)
    return {"code": code, "unit": unit, "value": value, "target": target,
            "progress_percent": progress}


def _delivery(state: State, where: SliceFilter) -> list[tuple[str, str, Any]]:
    delivered = [s for s in state["sessions"].values() if s["delivered"] is not None
                 and where.matches(f"{s['delivered']}|{s['province'] or ''}|"
                                   f"{s['provider'] or ''}")]
    independent = {s["provider"] for s in delivered if not s["ilo"]}
    approved = {p for p in independent if state["providers"].get(p) == "approved"}
    direct: set[str] = set()
    trained: set[str] = set()
    counts = {"managers": 0, "workers": 0, "women": 0, "men": 0}
    for key, smes in state["smes"].items():
        if where.matches(key):
            direct.update(smes["direct"])
            trained.update(smes["independent"])
    for key, figures in state["participants"].items():
        if where.matches(key):
            for name in counts:
                counts[name] += figures[name]
    total = counts["managers"] + counts["workers"]
    return [
        ("providers_independent", "count", len(approved)),
        ("sessions_delivered_direct", "count", sum(1 for s in delivered if s["ilo"])),
        ("sessions_delivered_independent", "count", sum(1 for s in delivered if not s["ilo"])),
        ("smes_trained_direct", "count", len(direct)),
        ("smes_trained_indirect", "count", len(trained - direct)),
        ("participants", "count", total),
        ("participants_managers", "count", counts["managers"]),
        ("participants_workers", "count", counts["workers"]),
        ("participants_women_share", "percent", percent(counts["women"], total)),
        *_cost_recovery(delivered),
    ]


def _cost_recovery(delivered: list[dict]) -> list[tuple[str, str, Any]]:
    paid = sum(s["sme_paid"] for s in delivered)
    sponsored = sum(s["sponsored"] for s in delivered)
    cost = sum(s["cost"] for s in delivered)
    return [("delivered_sme_payments", "IDR", paid),
            ("delivered_sponsor_commitments", "IDR", sponsored),
            ("delivered_cost_estimates", "IDR", cost),
            ("cost_recovery_percent", "percent", percent(paid + sponsored, cost))]


def _trainers(state: State, where: SliceFilter) -> list[tuple[str, str, Any]]:
    registered, certified = [], []
    for trainer in state["trainers"].values():
        place = f"{trainer['province'] or ''}|{trainer['provider'] or ''}"
        if trainer["registered"] and where.matches(f"{trainer['registered']}|{place}"):
            registered.append(trainer)
        if (trainer["certified"] and CERTIFIED in trainer["modules"].values()
                and where.matches(f"{trainer['certified']}|{place}")):
            certified.append(trainer)

    def women(group: list[dict]) -> Decimal | None:
        return percent(sum(1 for t in group if t["gender"] == "female"), len(group))

    return [("trainers", "count", len(registered)),
            ("trainers_women_share", "percent", women(registered)),
            ("trainers_certified", "count", len(certified)),
            ("trainers_certified_women_share", "percent", women(certified))]


def _money(state: State, where: SliceFilter) -> list[tuple[str, str, Any]]:
    by_sponsor: dict[str, int] = {}
    for key, money in state["sponsor_money"].items():
        if where.matches(key):
            for sponsor, amount in money.items():
                by_sponsor[sponsor] = by_sponsor.get(sponsor, 0) + amount
    by_kind = dict.fromkeys(SPONSOR_KINDS, 0)
    for sponsor, amount in by_sponsor.items():
        kind = state["sponsors"].get(sponsor, "other")
        by_kind[kind] = by_kind.get(kind, 0) + amount
    lead_buyers = sum(1 for sponsor, amount in by_sponsor.items()
                      if amount > 0 and state["sponsors"].get(sponsor) == "lead_buyer")
    return [*((f"sponsor_money_{kind}", "IDR", amount) for kind, amount in by_kind.items()),
            ("lead_buyer_collaborations", "count", lead_buyers)]
