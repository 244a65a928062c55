"""The National Productivity view: enterprise KPIs from baseline to latest, by sector and area.

For the Ministry of Manpower's National Productivity Database (DOMAIN.md): per
KBLI sector (the section letter A–U of the SME's KBLI code, shared by KBLI 2020
and ISIC Rev.4), province and KPI, how the enterprises with both a baseline and
a follow-up moved: how many improved, worsened or stayed, and the mean and
median change in percent of the baseline (enterprises whose baseline is 0 have
no percentage and count only in the tallies). "Latest" is the current
follow-up with the latest measurement period; corrections replace what they correct.

Disclosure control: a cell of fewer than :data:`MIN_ENTERPRISES` enterprises is
suppressed – its figures are null, only ``suppressed: true`` remains. There are
no margins over suppressed cells: each KPI's total is the sum over *published*
cells only (and says how many enterprises that is), so no suppressed cell can be
recovered by subtracting published cells from a total. Filters only choose
cells; they never regroup them.
"""

from __future__ import annotations

import statistics
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from services.audit.indicators.projection import State

MIN_ENTERPRISES = 5
TENTH = Decimal("0.1")

# KBLI 2020 / ISIC Rev.4 sections by the two-digit division that starts them.
_SECTIONS = (("01", "A"), ("05", "B"), ("10", "C"), ("35", "D"), ("36", "E"), ("41", "F"),
             ("45", "G"), ("49", "H"), ("55", "I"), ("58", "J"), ("64", "K"), ("68", "L"),
             ("69", "M"), ("77", "N"), ("84", "O"), ("85", "P"), ("86", "Q"), ("90", "R"),
             ("94", "S"), ("97", "T"), ("99", "U"))


def sector_of(kbli_code: str) -> str:
    """The KBLI section (A–U) of a KBLI code ("13111" → "C"); "?" when it is not one."""
    division = kbli_code[:2]
    if len(division) < 2 or not division.isdigit():
        return "?"
    found = "?"
    for start, section in _SECTIONS:
        if division >= start:
            found = section
    return found


def changes(state: State) -> list[dict[str, Any]]:
    """One row per SME and KPI with a baseline and a current follow-up."""
    rows = []
    for sme in state["kpis"].values():
        for code, kpi in sme["reports"].items():
            if kpi["baseline"] is None or not kpi["follow_ups"]:
                continue
            # max keeps the first of equal periods; reversed: the latest reported wins
            latest = max(reversed(list(kpi["follow_ups"].values())), key=lambda r: r[1])
            baseline, value = Decimal(kpi["baseline"][0]), Decimal(latest[0])
            change = value - baseline
            better = kpi.get("direction")
            rows.append({
                "sector": sector_of(sme["kbli"]), "province": sme["province"], "kpi": code,
                "change_percent": None if baseline == 0 else change * 100 / abs(baseline),
                "moved": ("unchanged" if change == 0 else "unknown" if better is None
                          else "improved" if (change > 0) == (better == "higher_is_better")
                          else "worsened")})
    return rows


def view(state: State, *, sector: str | None = None, province: str | None = None,
         kpi: str | None = None) -> dict[str, Any]:
    """The cells (suppressed where small) and each KPI's total over published cells."""
    cells: dict[tuple[str, str, str], list[dict]] = {}
    for row in changes(state):
        if ((sector is None or row["sector"] == sector)
                and (province is None or row["province"] == province)
                and (kpi is None or row["kpi"] == kpi)):
            cells.setdefault((row["sector"], row["province"], row["kpi"]), []).append(row)
    out = [_cell(key, rows) for key, rows in sorted(cells.items())]
    totals: dict[str, list[dict]] = {}
    for (_, _, code), rows in sorted(cells.items()):
        if len(rows) >= MIN_ENTERPRISES:
            totals.setdefault(code, []).extend(rows)
    return {"min_enterprises": MIN_ENTERPRISES, "cells": out,
            "totals": [_cell(("", "", code), rows) for code, rows in totals.items()]}


def _cell(key: tuple[str, str, str], rows: list[dict]) -> dict[str, Any]:
    sector, province, code = key
    cell: dict[str, Any] = {"sector": sector, "province": province, "kpi": code}
    if len(rows) < MIN_ENTERPRISES:
        return {**cell, "suppressed": True, "enterprises": None, "improved": None,
                "worsened": None, "unchanged": None, "mean_change_percent": None,
                "median_change_percent": None}
    percents = [r["change_percent"] for r in rows if r["change_percent"] is not None]

    def tally(moved: str) -> int:
        return sum(1 for r in rows if r["moved"] == moved)

    return {**cell, "suppressed": False, "enterprises": len(rows),
            "improved": tally("improved"), "worsened": tally("worsened"),
            "unchanged": tally("unchanged"),
            "mean_change_percent": _tenth(sum(percents) / len(percents)) if percents else None,
            "median_change_percent": _tenth(statistics.median(percents)) if percents else None}


def _tenth(value: Decimal) -> Decimal:
    return Decimal(value).quantize(TENTH, ROUND_HALF_UP)
