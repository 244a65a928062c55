"""The national productivity view: KPI changes by sector and province, small cells hidden."""

from __future__ import annotations

from decimal import Decimal

from services.audit.indicators.productivity import MIN_ENTERPRISES, sector_of, view
from tests.audit.phase3 import fold, kpi


def enterprises(prefix: str, n: int, *, baseline: str = "10", latest: str = "12",
                province: str = "32", kbli: str = "13111", code: str = "productivity"):
    events = []
    for i in range(n):
        sme = f"{prefix}{i}"
        events += [kpi(sme, "baseline", baseline, province=province, kbli=kbli, code=code),
                   kpi(sme, "follow_up", latest, province=province, kbli=kbli, code=code)]
    return events


def test_a_cell_of_enough_enterprises_shows_how_they_moved():
    state = fold(*enterprises("a", 4, latest="12"), *enterprises("b", 1, latest="9"))
    (cell,) = view(state)["cells"]
    assert (cell["sector"], cell["province"], cell["kpi"], cell["suppressed"]) == (
        "C", "32", "productivity", False)
    assert (cell["enterprises"], cell["improved"], cell["worsened"]) == (5, 4, 1)
    assert cell["mean_change_percent"] == Decimal("14.0")  # (4 × 20 − 10) / 5
    assert cell["median_change_percent"] == Decimal("20.0")


def test_a_small_cell_is_suppressed_and_totals_cover_published_cells_only():
    state = fold(*enterprises("a", MIN_ENTERPRISES, province="32"),
                 *enterprises("b", MIN_ENTERPRISES - 1, province="33", latest="20"))
    found = view(state)
    small = next(c for c in found["cells"] if c["province"] == "33")
    assert small["suppressed"] and small["enterprises"] is None
    assert small["mean_change_percent"] is None and small["improved"] is None
    (total,) = found["totals"]
    published = [c for c in found["cells"] if not c["suppressed"]]
    # total − published cells = 0 enterprises: nothing of the hidden cell can be recovered
    assert total["enterprises"] - sum(c["enterprises"] for c in published) == 0
    assert total["mean_change_percent"] == Decimal("20.0")  # not pulled up by the hidden +100 %


def test_filters_choose_cells_without_regrouping_them():
    state = fold(*enterprises("a", 5, province="32"), *enterprises("b", 3, province="33"))
    only = view(state, province="33")
    assert [c["suppressed"] for c in only["cells"]] == [True] and only["totals"] == []


def test_corrections_replace_and_the_latest_period_is_the_latest_follow_up():
    events = []
    for i in range(5):
        first = f"f{i}"
        events += [kpi(f"s{i}", "baseline", "100", code="defect_rate",
                       direction="lower_is_better"),
                   kpi(f"s{i}", "follow_up", "50", report_id=first, code="defect_rate",
                       period_end="2026-06-30", direction="lower_is_better"),
                   kpi(f"s{i}", "follow_up", "90", code="defect_rate", period_end="2026-04-30",
                       direction="lower_is_better"),
                   kpi(f"s{i}", "follow_up", "80", supersedes=first, code="defect_rate",
                       period_end="2026-06-30", direction="lower_is_better")]
    (cell,) = view(fold(*events))["cells"]
    assert (cell["improved"], cell["mean_change_percent"]) == (5, Decimal("-20.0"))


def test_enterprises_without_a_follow_up_are_not_counted():
    state = fold(*enterprises("a", 5), *(kpi(f"x{i}", "baseline", "5") for i in range(3)))
    (cell,) = view(state)["cells"]
    assert cell["enterprises"] == 5


def test_sectors_are_kbli_sections():
    assert [sector_of(c) for c in ("01111", "13111", "35101", "47111", "96999", "x")] == [
        "A", "C", "D", "G", "S", "?"]
