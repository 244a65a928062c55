"""The SME's enrolments: the list, one enrolment, paying (card or bank transfer), cancelling.

A card payment is enrolment's checkout (Stripe Checkout, or the sandbox's page in the
embedded default): the browser is sent there and comes back to the enrolment's page
(``SCORE_ENROLMENT_CHECKOUT_SUCCESS_URL``, which ``make run`` points here). A bank
transfer is enrolment's invoice, shown here and printable through the portal (the
browser never holds a token).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.portal import calls
from services.portal.backend import ServiceRefused
from services.portal.forms import Form, idempotency_header
from services.portal.messages import problem_message
from services.portal.web.public import UUID
from services.portal.web.sme import bp, labels, offered_sessions, sme_id, sme_page
from services.portal.web.sme.enrol import sponsor_quote

PAYABLE = ("held", "awaiting_payment")
CANCELLABLE = ("held", "awaiting_payment", "confirmed")
# A printable invoice relayed from enrolment: its own inline styles, nothing else.
PRINT_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def own_enrolment(enrolment_id: str) -> dict:
    """The enrolment, if it is the user's SME's (404 otherwise)."""
    if not UUID.match(enrolment_id):
        abort(404)
    enrolment = calls.get("enrolment", f"/enrolments/{enrolment_id}")
    if enrolment.get("sme_id") != sme_id():
        abort(404)
    return enrolment


@bp.get("/enrolments")
@sme_page
def enrolments():
    """Every enrolment of the SME, newest first, and its places on waiting lists."""
    cursor = request.args.get("cursor", "")
    page = calls.get("enrolment", "/enrolments", {"sme_id": sme_id(), "limit": 20,
                                                  "cursor": cursor})
    waiting = calls.get("enrolment", f"/smes/{sme_id()}/waitlist")["items"]
    ids = [e["session_id"] for e in page["items"]] + [w["session_id"] for w in waiting]
    return render_template("sme/enrolments.html", page=page, waiting=waiting,
                           sessions=offered_sessions(ids), labels=labels)


@bp.get("/enrolments/<enrolment_id>")
@sme_page
def enrolment(enrolment_id: str, form: Form | None = None, status: int = 200):
    """One enrolment: the session, the team, payments, attendance, visits; cancel."""
    found = own_enrolment(enrolment_id)
    sessions = offered_sessions([found["session_id"]])
    attendance = visits = None
    if found["status"] in ("confirmed", "completed"):
        attendance = _optional("enrolment", f"/enrolments/{enrolment_id}/attendance")
        visits = _optional("enrolment", f"/enrolments/{enrolment_id}/visits")
    returned = request.args.get("returned")
    return render_template("sme/enrolment.html", item=found,
                           session=sessions.get(found["session_id"]), attendance=attendance,
                           visits=visits, returned=returned, form=form or Form(),
                           cancellable=found["status"] in CANCELLABLE,
                           payable=found["status"] in PAYABLE, labels=labels), status


def _optional(service: str, path: str) -> dict | None:
    try:
        return calls.get(service, path)
    except ServiceRefused:
        return None


@bp.post("/enrolments/<enrolment_id>/cancel")
@sme_page
def cancel(enrolment_id: str):
    """Cancel the enrolment (its seats are freed; a refund follows the policy)."""
    own_enrolment(enrolment_id)
    form = Form.posted()
    reason = str(form.get("reason")).strip()
    if len(reason) < 3:
        form.error("reason", _("Say briefly why you cancel (at least 3 characters)."))
    else:
        try:
            calls.post("enrolment", f"/enrolments/{enrolment_id}/cancel", {"reason": reason})
        except ServiceRefused as refused:
            form.refused(refused)
        else:
            flash(_("The enrolment is cancelled and its seats are freed."), "success")
            return redirect(url_for("sme.enrolment", enrolment_id=enrolment_id), 303)
    return enrolment(enrolment_id, form=form, status=409 if form.message else 422)


@bp.route("/enrolments/<enrolment_id>/pay", methods=["GET", "POST"])
@sme_page
def pay(enrolment_id: str):
    """Choose how to pay: a card checkout (away to it) or a bank transfer invoice."""
    found = own_enrolment(enrolment_id)
    message = None
    if found["status"] not in PAYABLE:
        flash(_("This enrolment has nothing to pay."), "info")
        return redirect(url_for("sme.enrolment", enrolment_id=enrolment_id), 303)
    if request.method == "POST":
        method = request.form.get("method")
        path = {"card": "checkout", "bank": "invoice"}.get(method or "")
        if path is None:
            abort(400)
        try:
            reply = calls.call("POST", "enrolment", f"/enrolments/{enrolment_id}/{path}",
                               json={}, headers=idempotency_header())
        except ServiceRefused as refused:
            message = problem_message(refused)
        else:
            if reply.status == 204:
                flash(_("Sponsors pay the whole price: your team is confirmed."), "success")
                return redirect(url_for("sme.enrolment", enrolment_id=enrolment_id), 303)
            if path == "invoice":
                flash(_("Your invoice is ready. Transfer the amount with its reference."),
                      "success")
                return redirect(url_for("sme.invoice", payment_id=reply.body["id"]), 303)
            target = str((reply.body or {}).get("checkout_url") or "")
            if urlsplit(target).scheme not in ("http", "https"):
                abort(502)
            return redirect(target, 303)
    quote, quote_note = None, None
    if not found.get("sponsor_share"):
        counts = {k: found[k] for k in ("managers", "workers", "women", "men")}
        quote, quote_note = sponsor_quote(found["session_id"],
                                          {"participants": found["participants_count"],
                                           **counts})
    invoices = [p for p in found.get("payments") or []
                if p["method"] == "bank_transfer" and p["status"] == "pending"]
    sessions = offered_sessions([found["session_id"]])
    return render_template("sme/pay.html", item=found, session=sessions.get(found["session_id"]),
                           quote=quote, quote_note=quote_note, invoices=invoices,
                           message=message, labels=labels), (409 if message else 200)


@bp.get("/invoices/<payment_id>")
@sme_page
def invoice(payment_id: str):
    """A bank transfer invoice: the amount after the sponsors' share, where, the reference."""
    if not UUID.match(payment_id):
        abort(404)
    found = calls.get("enrolment", f"/invoices/{payment_id}")
    if (found.get("sme") or {}).get("id") != sme_id():
        abort(404)
    owner = own_enrolment(found["enrolment_id"])
    provider = _optional("catalog", f"/providers/{found['provider_id']}") or {}
    return render_template("sme/invoice.html", invoice=found, item=owner, provider=provider,
                           labels=labels)


@bp.get("/invoices/<payment_id>/print")
@sme_page
def print_invoice(payment_id: str):
    """The invoice's printable page, relayed from enrolment with the user's token."""
    if not UUID.match(payment_id):
        abort(404)
    found = calls.get("enrolment", f"/invoices/{payment_id}")
    if (found.get("sme") or {}).get("id") != sme_id():
        abort(404)
    reply = calls.call("GET", "enrolment", f"/invoices/{payment_id}/print",
                       headers={"Accept": "text/html"})
    response = Response(reply.content, content_type=reply.headers.get(
        "Content-Type", "text/html; charset=utf-8"))
    response.headers["Content-Security-Policy"] = PRINT_POLICY
    return response

