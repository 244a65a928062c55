"""The sponsor's report: what the money bought, the funds over time, charts and CSV."""

from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.portal import calls
from services.portal.backend import ServiceRefused
from services.portal.charts import bar_chart, line_chart
from services.portal.forms import Form
from services.portal.i18n import number
from services.portal.web.guard import role_page
from services.portal.web.public import module_name, reference
from services.portal.web.sponsor.common import (
    SIZE_CLASSES,
    bp,
    own_funds,
    own_sponsor_id,
    refused_into,
)

REPORT_ARGS = ("from", "to", "fund_id")


def _params() -> dict[str, str]:
    """The report's filters from the query string (blank ones left out)."""
    return {key: request.args.get(key, "").strip() for key in (*REPORT_ARGS, "interval")
            if request.args.get(key, "").strip()}


@bp.get("/report")
@role_page("sponsor_staff")
def report():
    """What the money bought, and the funds over time, with charts and CSV downloads."""
    sponsor_id = own_sponsor_id()
    params = _params()
    form = Form(dict(params))
    found = timeline = None
    try:
        found = calls.get("sponsorship", f"/sponsors/{sponsor_id}/report",
                          {k: v for k, v in params.items() if k in REPORT_ARGS})
        timeline = calls.get("sponsorship", f"/sponsors/{sponsor_id}/report/timeline", params)
    except ServiceRefused as refused:
        refused_into(form, refused, {})
    funds = own_funds()
    charts = _charts(found, timeline, funds) if found and timeline else []
    ref = reference()
    names = {"by_module": {m["code"]: f"{m['code']} · {module_name(m)}" for m in ref["modules"]},
             "by_size_class": {k: str(v) for k, v in SIZE_CLASSES.items()},
             "by_provider": _provider_names(found)}
    return render_template("sponsor/report.html", form=form, report=found, timeline=timeline,
                           fund_options=[(f["id"], f["name"]) for f in funds],
                           charts=charts, params=params, names=names), (200 if form.ok else 400)


def _provider_names(found: dict | None) -> dict[str, str]:
    if not found or not found.get("by_provider"):
        return {}
    return {p["id"]: p["legal_name"] for p in calls.get("catalog", "/providers")["items"]}


def millions(value: float) -> str:
    """Rupiah in millions, for chart axes (billions do not fit beside them)."""
    return number(round(value / 1_000_000, 1))


def _charts(found: dict, timeline: dict, funds: list[dict]) -> list:
    """The report's charts: funds' balances and commitments over time (one chart per unit:
    rupiah and seats do not share an axis), and seats by province."""
    titles = {"IDR": (_("Money committed and reserved by fund (million Rp)"),
                      _("Money committed over time (million Rp)"), millions),
              "seats": (_("Seats committed and reserved by fund"),
                        _("Seats committed over time"), None)}
    charts = []
    for unit, (by_fund_title, over_time_title, value_format) in titles.items():
        these = [f for f in funds if f["unit"] == unit]
        if these:
            charts.append(bar_chart(
                by_fund_title, [f["name"] for f in these],
                [(_("Committed"), [f["balance"]["committed"] for f in these]),
                 (_("Reserved"), [f["balance"]["reserved"] for f in these]),
                 (_("Available"), [f["balance"]["available"] for f in these])],
                value_format=value_format))
        items = [i for i in timeline["items"] if i["unit"] == unit]
        periods = sorted({i["period"] for i in items})
        if any(i["committed"] for i in items):  # a flat line at 0 says nothing
            by_fund: dict[str, dict[str, int]] = {}
            for item in items:
                by_fund.setdefault(item["fund_name"], {})[item["period"]] = item["committed"]
            charts.append(line_chart(
                over_time_title, periods,
                [(name, [values.get(p) for p in periods]) for name, values in by_fund.items()],
                value_format=value_format))
    if found["by_province"]:
        rows = found["by_province"]
        charts.append(bar_chart(
            _("Seats funded by the SME's province"), [r["name"] or r["key"] for r in rows],
            [(_("Seats funded"), [r["seats"] for r in rows]),
             (_("Seats pending"), [r["pending_seats"] for r in rows])]))
    return charts


@bp.get("/report/download")
@role_page("sponsor_staff")
def report_csv():
    """The report (``?what=timeline``: the timeline) as CSV, as sponsorship writes it."""
    sponsor_id = own_sponsor_id()
    params = _params()
    path = f"/sponsors/{sponsor_id}/report"
    if request.args.get("what") == "timeline":
        path += "/timeline"
    else:
        params.pop("interval", None)
    try:
        reply = calls.call("GET", "sponsorship", path, params={**params, "format": "csv"})
    except ServiceRefused:
        return redirect(url_for("sponsor.report", **params), 303)
    disposition = reply.headers.get("Content-Disposition",
                                    'attachment; filename="sponsorship-report.csv"')
    return Response(reply.content, mimetype="text/csv", headers={
        "Content-Disposition": disposition, "Cache-Control": "no-store"})
