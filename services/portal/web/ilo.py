"""The ILO auditor's pages, read-only: the Phase III dashboard, the feed, the log's state.

Every figure is read live from the audit service (which replays its log: nothing is
cached here), so a payment logged a moment ago is in the next page view. The
auditor's token reads everything and writes nothing: these pages offer no form that
writes, only filters (GET) and downloads proxied with the auditor's token.

    dashboard   /indicators (against targets), /indicators/breakdown by province and
                by quarter: progress to targets, tables and charts, a period/province filter
    feed        /entries: filters, keyset cursor, the tree head each page verifies
                against, NDJSON/CSV export
    log         the latest signed tree head, ingest status, reconciliation runs and
                differences, an event's inclusion proof checked here (RFC 9162)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.portal import calls
from services.portal import reference as reference_data
from services.portal.backend import ServiceRefused
from services.portal.charts import bar_chart, line_chart, progress_bar
from services.portal.forms import Form
from services.portal.i18n import idr, number
from services.portal.web.guard import role_page

bp = Blueprint("ilo", __name__, url_prefix="/ilo")

PERIOD = re.compile(r"^[0-9]{4}(-Q[1-4])?$")
PROVINCE = re.compile(r"^[0-9]{2}$")
PRINTABLE = re.compile(r"^[!-~]{1,200}$")
FEED_FILTERS = ("type", "source", "provider", "subject", "from", "to")
FEED_PAGE = 50
EXPORTS = {"ndjson": "application/x-ndjson", "csv": "text/csv"}

SPONSOR_KINDS = {"ministry": _l("Ministries"), "donor": _l("Donors"),
                 "lead_buyer": _l("Lead buyers"), "association": _l("Associations"),
                 "other": _l("Others")}
INDICATORS = {
    "providers_independent": _l("Independent providers delivering"),
    "sessions_delivered_direct": _l("Sessions delivered under ILO supervision"),
    "sessions_delivered_independent": _l("Sessions delivered independently"),
    "smes_trained_direct": _l("SMEs trained directly (ILO-supervised)"),
    "smes_trained_indirect": _l("SMEs trained by independent providers"),
    "participants": _l("Participants who completed"),
    "participants_managers": _l("Managers who completed"),
    "participants_workers": _l("Workers who completed"),
    "participants_women_share": _l("Women among participants"),
    "delivered_sme_payments": _l("SME payments for delivered sessions"),
    "delivered_sponsor_commitments": _l("Sponsor money for delivered sessions"),
    "delivered_cost_estimates": _l("Delivery cost of those sessions"),
    "cost_recovery_percent": _l("Cost recovery"),
    "trainers": _l("Trainers registered"),
    "trainers_women_share": _l("Women among trainers"),
    "trainers_certified": _l("Certified trainers"),
    "trainers_certified_women_share": _l("Women among certified trainers"),
    "sponsor_money_ministry": _l("Sponsor money from ministries"),
    "sponsor_money_donor": _l("Sponsor money from donors"),
    "sponsor_money_lead_buyer": _l("Sponsor money from lead buyers"),
    "sponsor_money_association": _l("Sponsor money from associations"),
    "sponsor_money_other": _l("Sponsor money from others"),
    "lead_buyer_collaborations": _l("Lead buyers collaborating"),
    "case_studies_published": _l("Case studies published"),
}


def indicator_label(code: str) -> str:
    """An indicator's name in words."""
    return str(INDICATORS.get(code, code))


def value_of(row: dict | None) -> float | None:
    """An indicator's value (a decimal string) as a number; None when undefined."""
    if not row or row.get("value") is None:
        return None
    try:
        return float(Decimal(str(row["value"])))
    except InvalidOperation:
        return None


def shown(row: dict | None, field: str = "value") -> str:
    """An indicator's value or target as the page shows it, by its unit."""
    if not row or row.get(field) is None:
        return "–"
    amount = Decimal(str(row[field]))
    if row.get("unit") == "IDR":
        return idr(int(amount))
    if row.get("unit") == "percent":
        return f"{number(amount)} %"
    return number(amount)


def _percent(value) -> str:
    return f"{number(value)} %"


def _rows(items: list[dict]) -> dict[str, dict]:
    return {row["code"]: row for row in items}


def _sum(rows: dict[str, dict], *codes: str) -> float:
    return sum(value_of(rows.get(code)) or 0 for code in codes)


# -- the Phase III dashboard ---------------------------------------------------------------


@bp.get("/dashboard")
@role_page("ilo_auditor")
def dashboard():
    """Phase III indicators against targets, by province and over time."""
    form = Form({k: request.args.get(k, "").strip() for k in ("period", "province")})
    if form.get("period") and not PERIOD.match(form.get("period")):
        form.error("period", _("Choose a year or a quarter."))
    if form.get("province") and not PROVINCE.match(form.get("province")):
        form.error("province", _("Choose a province."))
    chosen = {k: v for k, v in form.values.items() if v and k not in form.errors}
    provinces = reference_data.provinces()
    names = {p["bps_code"]: p["name"] for p in provinces}
    overall = calls.get("audit", "/indicators", chosen)
    by_province = calls.get("audit", "/indicators/breakdown",
                            {"by": "province", "period": chosen.get("period")})
    by_period = calls.get("audit", "/indicators/breakdown",
                          {"by": "period", "province": chosen.get("province")})
    rows = _rows(overall["items"])
    quarters = [g["key"] for g in by_period["groups"]]
    years = sorted({q[:4] for q in quarters})
    period_options = [(p, p) for p in sorted({*years, *quarters, *([chosen["period"]]
                                              if "period" in chosen else [])})]
    return render_template(
        "ilo/dashboard.html", form=form, overall=overall, rows=rows,
        targets=[r for r in overall["items"] if r.get("target") is not None],
        province_rows=[{"code": g["key"], "name": names.get(g["key"], g["key"]),
                        "rows": _rows(g["items"])} for g in by_province["groups"]],
        charts=_charts(rows, by_province["groups"], by_period["groups"], names),
        period_options=period_options,
        province_options=[(p["bps_code"], p["name"]) for p in provinces],
        province_name=names.get(chosen.get("province", ""), ""),
        indicator_label=indicator_label, shown=shown, progress_bar=progress_bar,
        csv_params=chosen)


def _charts(rows: dict, provinces: list[dict], periods: list[dict], names: dict) -> dict:
    direct, independent = _("ILO-supervised (direct)"), _("Independent")
    delivery = bar_chart(
        _("Direct and independent delivery"),
        [_("Sessions delivered"), _("SMEs trained")],
        [(direct, [_sum(rows, "sessions_delivered_direct"), _sum(rows, "smes_trained_direct")]),
         (independent, [_sum(rows, "sessions_delivered_independent"),
                        _sum(rows, "smes_trained_indirect")])])
    kinds = ("ministry", "donor", "lead_buyer", "association", "other")
    money = bar_chart(
        _("Sponsor money committed, by kind of sponsor"),
        [str(SPONSOR_KINDS[k]) for k in kinds],
        [(_("Rupiah"), [_sum(rows, f"sponsor_money_{k}") for k in kinds])],
        value_format=lambda v: idr(int(v)))
    by_province = [_rows(g["items"]) for g in provinces]
    province_chart = bar_chart(
        _("Sessions delivered by province"), [names.get(g["key"], g["key"]) for g in provinces],
        [(direct, [_sum(r, "sessions_delivered_direct") for r in by_province]),
         (independent, [_sum(r, "sessions_delivered_independent") for r in by_province])])
    by_period = [_rows(g["items"]) for g in periods]
    over_time = line_chart(
        _("Delivery per quarter"), [g["key"] for g in periods],
        [(_("Sessions delivered"), [_sum(r, "sessions_delivered_direct",
                                         "sessions_delivered_independent") for r in by_period]),
         (_("SMEs trained"), [_sum(r, "smes_trained_direct", "smes_trained_indirect")
                              for r in by_period]),
         (_("Trainers certified"), [_sum(r, "trainers_certified") for r in by_period])])
    participants = line_chart(
        _("Participants who completed, per quarter"), [g["key"] for g in periods],
        [(_("Managers"), [_sum(r, "participants_managers") for r in by_period]),
         (_("Workers"), [_sum(r, "participants_workers") for r in by_period])])
    return {"delivery": delivery, "money": money, "provinces": province_chart,
            "over_time": over_time, "participants": participants}


@bp.get("/dashboard.csv")
@role_page("ilo_auditor")
def dashboard_csv():
    """The indicators of the filter as CSV, from audit (its own download)."""
    params = {"format": "csv"}
    for name, pattern in (("period", PERIOD), ("province", PROVINCE)):
        value = request.args.get(name, "")
        if pattern.match(value):
            params[name] = value
    return _proxied("/indicators", params, "text/csv")


# -- the feed ------------------------------------------------------------------------------


def _feed_params(values: dict) -> dict:
    """The audit's filters from the form's values (times typed in Jakarta time)."""
    params = {}
    for name in FEED_FILTERS:
        value = str(values.get(name) or "").strip()
        if value and name in ("from", "to"):
            value = _with_offset(value)
        if value:
            params[name] = value
    return params


def _with_offset(moment: str) -> str:
    """A ``datetime-local`` value (Jakarta time) as ISO 8601 with its offset."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", moment):
        return f"{moment}:00+07:00"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", moment):
        return f"{moment}+07:00"
    return moment


@bp.get("/feed")
@role_page("ilo_auditor")
def feed():
    """The log's entries, filtered, a page at a time, with the tree head to verify them."""
    form = Form({k: request.args.get(k, "") for k in FEED_FILTERS})
    params = _feed_params(form.values)
    cursor = request.args.get("cursor", "")
    page = {"items": [], "next_cursor": None, "tree_head": None}
    try:
        page = calls.get("audit", "/entries", {**params, "cursor": cursor, "limit": FEED_PAGE})
    except ServiceRefused as refused:
        form.refused(refused)
    filters = {k: v for k, v in form.values.items() if v}
    return render_template("ilo/feed.html", form=form, page=page, filters=filters,
                           cursor=cursor), (200 if form.ok else 400)


@bp.get("/feed/export")
@role_page("ilo_auditor")
def feed_export():
    """Every matching entry as NDJSON or CSV, from audit's export with the auditor's token."""
    kind = request.args.get("format", "ndjson")
    if kind not in EXPORTS:
        abort(404)
    params = {**_feed_params(request.args), "format": kind}
    return _proxied("/entries/export", params, EXPORTS[kind])


def _proxied(path: str, params: dict, accept: str) -> Response:
    """A download from audit passed on as it came: content type and file name kept."""
    reply = calls.call("GET", "audit", path, params=params, headers={"Accept": accept})
    response = Response(reply.content, content_type=reply.headers.get("Content-Type", accept))
    if reply.headers.get("Content-Disposition"):
        response.headers["Content-Disposition"] = reply.headers["Content-Disposition"]
    response.headers["Cache-Control"] = "no-store"
    return response


# -- the log -------------------------------------------------------------------------------


@bp.get("/log")
@role_page("ilo_auditor")
def log():
    """The log's verification status and an event's inclusion proof."""
    try:
        head = calls.get("audit", "/log/head")
    except ServiceRefused as refused:
        if refused.status != 404:
            raise
        head = None
    ingest = calls.get("audit", "/ingest/status")
    runs = calls.get("audit", "/reconciliations", {"limit": 5})["items"]
    differences = (calls.get("audit", f"/reconciliations/{runs[0]['id']}/differences",
                             {"limit": 50}) if runs else None)
    form = Form({"event_id": request.args.get("event_id", "").strip()})
    proof, checked = None, None
    if form.get("event_id"):
        if not PRINTABLE.match(form.get("event_id")):
            form.error("event_id", _("An event id is printable text without spaces."))
        else:
            try:
                proof = calls.get("audit", "/log/events/"
                                  f"{quote(form.get('event_id'), safe='')}/inclusion")
                checked = verify_inclusion(proof)
            except ServiceRefused as refused:
                if refused.status == 404:
                    form.error("event_id", _("No logged event with this id is covered by a "
                                             "signed tree head yet."))
                else:
                    form.refused(refused, names={"event_id": "event_id"})
    return render_template("ilo/log.html", head=head, ingest=ingest, runs=runs,
                           differences=differences, form=form, proof=proof,
                           checked=checked), (200 if form.ok else 400)


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(proof: dict) -> bool:
    """Whether the proof leads from the entry to its head's root (RFC 9162 §2.1.3.2)."""
    try:
        entry = base64.b64decode(proof["entry"], validate=True)
        path = [base64.b64decode(p, validate=True) for p in proof["proof"]]
        root = base64.b64decode(proof["head"]["root"], validate=True)
        index, size = int(proof["seq"]), int(proof["head"]["size"])
    except (KeyError, TypeError, ValueError, binascii.Error):
        return False
    if index >= size:
        return False
    fn, sn = index, size - 1
    r = hashlib.sha256(b"\x00" + entry).digest()
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root
