"""What the training did: the SME's KPIs (baseline against the latest follow-up) and the
participation certificates of its people."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.portal import calls, charts
from services.portal.backend import ServiceRefused
from services.portal.forms import Form, idempotency_header
from services.portal.i18n import language, local_date
from services.portal.web.public import UUID
from services.portal.web.sme import bp, labels, sme_id, sme_page

KPI_FIELDS = ("kpi", "kind", "period_start", "period_end", "method", "value", "note",
              "corrects")


def kpi_name(item: dict) -> str:
    """A KPI's name in the page's language."""
    return item.get("name_en" if language() == "en" else "name_id") or item.get("kpi") or ""


def _number(value: str | None) -> float | None:
    try:
        return float(Decimal(value)) if value is not None else None
    except InvalidOperation:
        return None


def kpi_charts(report: dict) -> list[dict]:
    """Per KPI with a baseline: baseline against the latest follow-up, as a bar chart."""
    drawn = []
    for item in report.get("kpis") or []:
        baseline = _number((item.get("baseline") or {}).get("value"))
        if baseline is None:
            continue
        latest = _number((item.get("latest_follow_up") or {}).get("value"))
        categories, values = [_("Baseline")], [baseline]
        if latest is not None:
            categories.append(_("Latest follow-up"))
            values.append(latest)
        name = kpi_name(item)
        drawn.append({"item": item, "chart": charts.bar_chart(
            name, categories, [(name, values)], unit=item.get("unit") or "")})
    return drawn


@bp.route("/kpis", methods=["GET", "POST"])
@sme_page
def kpis():
    """Report a KPI value (a baseline before the training, follow-ups after) and see them."""
    definitions = calls.get("enrolment", "/kpis")["items"]
    form = Form({"kind": "baseline"})
    if request.method == "POST":
        form = Form.posted()
        body = {name: str(form.get(name)).strip() for name in KPI_FIELDS}
        body["note"] = body["note"] or None
        body["corrects"] = body["corrects"] or None
        body["value"] = body["value"].replace(",", ".")
        try:
            calls.call("POST", "enrolment", f"/smes/{sme_id()}/kpis", json=body,
                       headers=idempotency_header())
        except ServiceRefused as refused:
            form.refused(refused)
        else:
            flash(_("The KPI value is saved."), "success")
            return redirect(url_for("sme.kpis"), 303)
    report = calls.get("enrolment", f"/smes/{sme_id()}/kpis/report")
    history = calls.get("enrolment", f"/smes/{sme_id()}/kpis")["items"]
    names = {d["code"]: kpi_name({**d, "kpi": d["code"]}) for d in definitions}
    current = [r for r in history if not r.get("superseded_by")]
    corrections = [(r["id"], _("%(kpi)s · %(kind)s · %(start)s – %(end)s: %(value)s",
                               kpi=names.get(r["kpi"], r["kpi"]), kind=labels.kpi_kind(r["kind"]),
                               start=local_date(r["period_start"]),
                               end=local_date(r["period_end"]), value=r["value"]))
                   for r in current]
    return render_template("sme/kpis.html", form=form, report=report, drawn=kpi_charts(report),
                           kpi_options=[(d["code"], f"{names[d['code']]} ({d['unit']})")
                                        for d in definitions],
                           kind_options=list(labels.KPI_KINDS.items()),
                           corrections=corrections, history=history, names=names,
                           kpi_name=kpi_name, labels=labels), (200 if form.ok else 422)


@bp.get("/certificates")
@sme_page
def certificates():
    """The participation certificates of the SME's people: verify, download."""
    items = calls.get("certification", f"/smes/{sme_id()}/credentials")["items"]
    return render_template("sme/certificates.html", items=items, labels=labels)


def _own_certificate(credential_id: str) -> dict:
    if not UUID.match(credential_id):
        abort(404)
    items = calls.get("certification", f"/smes/{sme_id()}/credentials")["items"]
    found = next((c for c in items if c["id"] == credential_id), None)
    if found is None:
        abort(404)
    return found


@bp.get("/certificates/<credential_id>.jwt")
@sme_page
def certificate_jwt(credential_id: str):
    """A certificate as its signed token (what a holder presents)."""
    found = _own_certificate(credential_id)
    return _download(found["token"], "application/jwt", f"certificate-{credential_id}.jwt")


@bp.get("/certificates/<credential_id>.json")
@sme_page
def certificate_json(credential_id: str):
    """A certificate as its Open Badges 3.0 document (JSON)."""
    _own_certificate(credential_id)
    document = calls.get("certification", f"/credentials/{credential_id}")["credential"]
    return _download(json.dumps(document, indent=2, ensure_ascii=False), "application/json",
                     f"certificate-{credential_id}.json")


def _download(content: str, kind: str, name: str) -> Response:
    response = Response(content, content_type=f"{kind}; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
