"""Server-side SVG charts: the picture, its name for screen readers, and the numbers."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from services.portal.charts import bar_chart, line_chart, progress_bar

SVG = "{http://www.w3.org/2000/svg}"


def _svg(markup: str) -> ElementTree.Element:
    return ElementTree.fromstring(re.search(r"<svg class=\"chart\".*?</svg>", markup, re.S)[0])


def test_a_bar_chart_draws_one_bar_per_value_scaled_to_a_round_top(app):
    with app.test_request_context("/"):
        markup = str(bar_chart("Waste per month", ["Baseline", "Latest"],
                               [("Waste (kg)", [800, 400])]))

    svg = _svg(markup)
    bars = svg.findall(f"{SVG}rect")
    heights = [float(b.get("height")) for b in bars]
    assert len(bars) == 2 and heights[0] == 2 * heights[1]
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Waste per month"
    # The same numbers as a table, for those who cannot see the picture.
    assert '<th scope="row">Baseline</th><td class="num">800</td>' in markup


def test_a_line_chart_joins_its_values_and_skips_gaps(app):
    with app.test_request_context("/"):
        markup = str(line_chart("SMEs trained", ["2026-Q1", "2026-Q2", "2026-Q3"],
                                [("Direct", [1, None, 3]), ("Indirect", [2, 4, 6])]))

    svg = _svg(markup)
    assert len(svg.findall(f"{SVG}polyline")) == 2
    assert len(svg.findall(f"{SVG}circle")) == 5
    assert "<td class=\"num\">–</td>" in markup


def test_a_progress_bar_says_value_of_target_and_fills_its_share(app):
    with app.test_request_context("/"):
        markup = str(progress_bar("Certified trainers", 12, 30))
        done = str(progress_bar("Providers", 5, 4))

    assert 'aria-valuenow="40"' in markup and "12 dari 30" in markup
    assert '<rect width="40.0%"' in markup
    assert "done" in done and 'aria-valuenow="100"' in done


def test_text_in_a_chart_is_escaped(app):
    with app.test_request_context("/"):
        markup = str(bar_chart("<b>x</b>", ["<i>"], [("<s>", [1])]))

    assert "<b>" not in markup and "<i>" not in markup and "&lt;s&gt;" in markup
