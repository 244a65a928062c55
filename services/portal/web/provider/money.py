"""Money: bank transfers to confirm, and revenue from the monthly settlement statements."""

from __future__ import annotations

import datetime as dt
import re

from babel.dates import format_date
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.portal import calls
from services.portal.backend import ServiceRefused
from services.portal.charts import bar_chart
from services.portal.forms import Form
from services.portal.i18n import idr, language
from services.portal.web.provider import bp
from services.portal.web.provider.common import (
    UUID,
    date_of,
    notice,
    org,
    provider_page,
    refuse,
    whole_number,
)
from shared import clock

MONTHS_SHOWN = 6
LINE_KINDS = {"card_payment": _l("Card payment"), "card_refund": _l("Card refund"),
              "bank_payment": _l("Bank transfer"), "bank_refund": _l("Bank refund"),
              "sponsor_commitment": _l("Sponsor share"),
              "sponsor_reversal": _l("Sponsor share reversed")}
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
RECEIPT = ("amount_received", "received_on", "bank_reference")


@bp.get("/payments")
@provider_page
def payments():
    """The provider's pending bank transfer invoices, each with its confirmation form."""
    return _payments_page({}, 200)


def _payments_page(forms: dict[str, Form], status: int):
    page = calls.get("enrolment", f"/providers/{org()}/invoices",
                     {"status": "pending", "limit": 100,
                      "cursor": request.args.get("cursor", "")})
    today = clock.today().isoformat()
    for invoice in page["items"]:
        forms.setdefault(invoice["id"], Form({
            f"{invoice['id']}.amount_received": str(invoice["amount"]),
            f"{invoice['id']}.received_on": today}))
    return render_template("provider/payments.html", page=page, forms=forms), status


@bp.post("/payments/<payment_id>/confirm")
@provider_page
def payment_confirm(payment_id: str):
    """Confirm that an SME's transfer arrived: the invoice is paid, the enrolment confirmed."""
    if not UUID.match(payment_id):
        abort(404)
    form = Form.posted()
    body = {"amount_received": whole_number(form, f"{payment_id}.amount_received"),
            "received_on": date_of(form, f"{payment_id}.received_on"),
            "bank_reference": str(form.get(f"{payment_id}.bank_reference")).strip()}
    if not body["bank_reference"]:
        form.error(f"{payment_id}.bank_reference", _("Enter the bank's reference of the "
                                                      "transfer."))
    if form.ok:
        try:
            invoice = calls.get("enrolment", f"/invoices/{payment_id}")
            if invoice.get("provider_id") != org():
                abort(404)
            calls.post("enrolment", f"/invoices/{payment_id}/confirm", body)
        except ServiceRefused as refused:
            if refused.status == 404:
                abort(404)
            if refused.status == 409:
                flash(notice(refused), "warning")
                return redirect(url_for("provider.payments"), 303)
            refuse(form, refused, {k: f"{payment_id}.{k}" for k in RECEIPT})
        else:
            flash(_("Transfer confirmed for invoice %(number)s: the enrolment is confirmed.",
                    number=invoice.get("invoice_number")), "success")
            return redirect(url_for("provider.payments"), 303)
    return _payments_page({payment_id: form}, 422)


# ------------------------------------------------------------------ revenue


def _months(count: int) -> list[str]:
    """The last ``count`` months (Jakarta), oldest first, as ``YYYY-MM``."""
    today = clock.today()
    year, month = today.year, today.month
    months = []
    for _i in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def sme_payments(statement: dict) -> int:
    """What SMEs paid in the month, net of refunds (card and bank transfer)."""
    return (statement.get("card_collected", 0) - statement.get("card_refunded", 0)
            + statement.get("bank_received", 0) - statement.get("bank_refunded", 0))


def sponsor_shares(statement: dict) -> int:
    """What sponsors committed in the month, net of reversals."""
    return statement.get("sponsor_committed", 0) - statement.get("sponsor_reversed", 0)


def month_label(month: str) -> str:
    """``2027-01`` as the month's name in the page's language."""
    return format_date(dt.date.fromisoformat(month + "-01"), "MMM yyyy", locale=language())


@bp.get("/revenue")
@provider_page
def revenue():
    """The last months' statements: SME payments, sponsor shares, fee and net payable."""
    provider_id = org()
    statements = [calls.get("enrolment", f"/providers/{provider_id}/statements/{month}")
                  for month in _months(MONTHS_SHOWN)]
    issued = calls.get("enrolment", "/statements", {"provider_id": provider_id, "limit": 24})
    labels = [month_label(s["month"]) for s in statements]
    chart = bar_chart(_("SME payments and sponsor shares per month"), labels, [
        (_("SME payments"), [sme_payments(s) for s in statements]),
        (_("Sponsor shares"), [sponsor_shares(s) for s in statements])],
        value_format=idr)
    totals = {"sme": sum(sme_payments(s) for s in statements),
              "sponsor": sum(sponsor_shares(s) for s in statements),
              "fee": sum(s.get("fee", 0) for s in statements),
              "net": sum(s.get("net_payable", 0) for s in statements)}
    return render_template("provider/revenue.html", statements=statements, chart=chart,
                           totals=totals, issued=issued["items"], month_label=month_label,
                           sme_payments=sme_payments, sponsor_shares=sponsor_shares)


@bp.get("/revenue/<month>")
@provider_page
def revenue_month(month: str):
    """One month's statement, line by line."""
    if not MONTH.match(month):
        abort(404)
    try:
        statement = calls.get("enrolment", f"/providers/{org()}/statements/{month}")
    except ServiceRefused as refused:
        if refused.status in (400, 404):
            abort(404)
        raise
    return render_template("provider/statement.html", statement=statement,
                           label=month_label(month), sme_payments=sme_payments(statement),
                           sponsor_shares=sponsor_shares(statement),
                           kinds={k: str(v) for k, v in LINE_KINDS.items()})


@bp.get("/revenue/<month>.csv")
@provider_page
def revenue_csv(month: str):
    """One month's statement as CSV (the service's own download)."""
    if not MONTH.match(month):
        abort(404)
    try:
        reply = calls.call("GET", "enrolment", f"/providers/{org()}/statements/{month}",
                           params={"format": "csv"})
    except ServiceRefused as refused:
        if refused.status in (400, 404):
            abort(404)
        raise
    return Response(reply.content, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="statement-{month}.csv"'})
