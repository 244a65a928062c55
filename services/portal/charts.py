"""Charts drawn on the server as SVG: no script, no library download, readable without sight.

Each chart is a ``<figure>`` holding an ``<svg role="img">`` named by its title, a
legend, and the same numbers as a table (inside ``<details>``), so a screen reader
or a printout gets the data as well as the picture. Colours are the portal's own and
each has at least 3:1 contrast with the white background (WCAG non-text contrast).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

from flask_babel import gettext as _
from markupsafe import Markup, escape

from services.portal.i18n import number

PALETTE = ("#0b5cad", "#c2410c", "#17663a", "#7c3aed", "#b3261e", "#0e7490")
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 56
_ids = itertools.count(1)

Series = Sequence[tuple[str, Sequence[float | None]]]


def _nice_max(value: float) -> float:
    """The top of the value axis: a round number at or above ``value``."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _fmt(value: float | None, value_format: Callable | None, unit: str) -> str:
    if value is None:
        return "–"
    text = value_format(value) if value_format else number(value)
    return f"{text}{(' ' + unit) if unit else ''}"


def _axis(top: float, value_format: Callable | None) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#d5dbe3"/>')
        label = value_format(value) if value_format else number(round(value, 2))
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f'{escape(label)}</text>')
    return parts


def _at(values: Sequence[float | None], index: int) -> float | None:
    return values[index] if index < len(values) else None


def _figure(title: str, svg_body: list[str], categories: Sequence[str], series: Series,
            value_format: Callable | None, unit: str) -> Markup:
    chart_id = f"chart-{next(_ids)}"
    # Outside the f-strings, where the catalogue's extractor finds them.
    show_numbers, category_head = _("Show the numbers"), _("Category")
    legend = "".join(
        f'<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" '
        f'fill="{PALETTE[i % len(PALETTE)]}"/></svg> {escape(name)}</li>'
        for i, (name, _values) in enumerate(series))
    head = "".join(f'<th scope="col" class="num">{escape(name)}</th>' for name, _v in series)
    rows = "".join(
        f'<tr><th scope="row">{escape(category)}</th>'
        + "".join(f'<td class="num">{escape(_fmt(_at(values, i), value_format, unit))}</td>'
                  for _name, values in series) + "</tr>"
        for i, category in enumerate(categories))
    return Markup(
        f'<figure class="chart-figure">'
        f'<figcaption id="{chart_id}-title">{escape(title)}</figcaption>'
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg">'
        f'<title>{escape(title)}</title>{"".join(svg_body)}</svg>'
        f'<ul class="legend">{legend}</ul>'
        f'<details><summary>{escape(show_numbers)}</summary><div class="table-wrap">'
        f'<table><caption class="sr-only">{escape(title)}</caption><thead><tr>'
        f'<th scope="col">{escape(category_head)}</th>{head}</tr></thead>'
        f'<tbody>{rows}</tbody></table></div></details></figure>')


def bar_chart(title: str, categories: Sequence[str], series: Series, unit: str = "",
              value_format: Callable | None = None) -> Markup:
    """Grouped bars: one group per category, one bar per series."""
    values = [v for _name, vs in series for v in vs if v is not None]
    top = _nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(len(categories), 1)
    bar_w = min(48.0, group_w * 0.8 / max(len(series), 1))
    body = _axis(top, value_format)
    for c, category in enumerate(categories):
        x0 = LEFT + c * group_w + (group_w - bar_w * len(series)) / 2
        for s, (name, vs) in enumerate(series):
            value = vs[c] if c < len(vs) else None
            if value is None:
                continue
            h = plot_h * max(value, 0) / top
            body.append(f'<rect x="{x0 + s * bar_w:.1f}" y="{TOP + plot_h - h:.1f}" '
                        f'width="{bar_w - 2:.1f}" height="{h:.1f}" '
                        f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(name)}, '
                        f'{escape(category)}: {escape(_fmt(value, value_format, unit))}'
                        f'</title></rect>')
        body.append(f'<text x="{LEFT + (c + .5) * group_w:.1f}" y="{HEIGHT - BOTTOM + 18}" '
                    f'text-anchor="middle">{escape(_short(category))}</text>')
    return _figure(title, body, categories, series, value_format, unit)


def line_chart(title: str, x_labels: Sequence[str], series: Series, unit: str = "",
               value_format: Callable | None = None) -> Markup:
    """One line per series over ``x_labels`` (periods), with a dot per value."""
    values = [v for _name, vs in series for v in vs if v is not None]
    top = _nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(x_labels) - 1, 1)
    body = _axis(top, value_format)
    for i, label in enumerate(x_labels):
        body.append(f'<text x="{LEFT + i * step:.1f}" y="{HEIGHT - BOTTOM + 18}" '
                    f'text-anchor="middle">{escape(_short(label))}</text>')
    for s, (name, vs) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        points = [(LEFT + i * step, TOP + plot_h - plot_h * max(v, 0) / top, v)
                  for i, v in enumerate(vs) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _v in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                        f'stroke-width="2.5"/>')
        for x, y, v in points:
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"><title>'
                        f'{escape(name)}: {escape(_fmt(v, value_format, unit))}</title></circle>')
    return _figure(title, body, x_labels, series, value_format, unit)


def progress_bar(label: str, value: float | None, target: float | None,
                 value_format: Callable | None = None) -> Markup:
    """``label``: value of target, as a bar (a ``<meter>``-like element with text)."""
    value = value or 0
    share = min(value / target, 1) if target else 0
    shown = value_format or number
    text = _("%(value)s of %(target)s", value=shown(value),
             target=shown(target) if target is not None else "–")
    done = " done" if target and value >= target else ""
    return Markup(
        f'<div class="progress-row{done}"><div class="progress-label"><span>{escape(label)}'
        f'</span><span>{escape(text)}</span></div>'
        # SVG geometry, not a style attribute: the content security policy allows no
        # inline styles.
        f'<div class="progress" role="progressbar" aria-label="{escape(label)}" '
        f'aria-valuemin="0" aria-valuemax="100" aria-valuenow="{round(share * 100)}" '
        f'aria-valuetext="{escape(text)}"><svg width="100%" height="100%" aria-hidden="true">'
        f'<rect width="{share * 100:.1f}%" height="100%"/></svg></div></div>')


def _short(label: str, limit: int = 14) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
