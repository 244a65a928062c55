"""Registering the sponsor, and its funds: balances, ledgers, deposits, adjustments, closing."""

from __future__ import annotations

import time
from typing import Any

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from services.portal import calls, users
from services.portal.backend import ServiceRefused
from services.portal.forms import Form, idempotency_header
from services.portal.web.guard import role_page, user
from services.portal.web.sponsor.common import (
    SPONSOR_KINDS,
    TRANSACTIONS,
    UNITS,
    UUID,
    bp,
    own_sponsor_id,
    page_of,
    refused_into,
    whole,
)

# How long a registration waits for identity to grant the membership (by event).
MEMBERSHIP_WAIT_S = 5.0
MEMBERSHIP_POLL_S = 0.4


@bp.route("/register", methods=["GET", "POST"])
@role_page("sponsor_staff")
def register():
    """Register the sponsor the user works for; a platform admin approves it."""
    if user().org is not None:
        return redirect(url_for("sponsor.home"), 303)
    if request.method == "GET" and session.get("sponsor_registered"):
        users.refresh()  # the membership may have arrived meanwhile
        if user().org is not None:
            session.pop("sponsor_registered", None)
            return redirect(url_for("sponsor.home"), 303)
        return render_template("sponsor/register.html", form=Form(), kinds=SPONSOR_KINDS,
                               waiting=True)
    me = user()
    form = Form({"contact_name": me.name, "contact_email": me.email})
    if request.method == "POST":
        form = Form.posted()
        body = {key: str(form.get(key)).strip() for key in
                ("name", "kind", "contact_name", "contact_email", "contact_phone")}
        try:
            calls.post("sponsorship", "/sponsors", body, headers=idempotency_header())
        except ServiceRefused as refused:
            if refused.status != 409:
                refused_into(form, refused, {})
        if form.ok:  # registered now, or before (409: an account registers one sponsor)
            session["sponsor_registered"] = True
            if _membership_arrived():
                session.pop("sponsor_registered", None)
                flash(_("Your sponsor is registered. It is awaiting platform admin approval."),
                      "success")
                return redirect(url_for("sponsor.home"), 303)
            return redirect(url_for("sponsor.register"), 303)
    return render_template("sponsor/register.html", form=form, kinds=SPONSOR_KINDS,
                           waiting=False), (200 if form.ok else 400)


def _membership_arrived() -> bool:
    """Refresh the sign-in until it acts for the new sponsor (at most ``MEMBERSHIP_WAIT_S``)."""
    deadline = time.monotonic() + MEMBERSHIP_WAIT_S
    while True:
        users.refresh()
        if user().org is not None:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(MEMBERSHIP_POLL_S)


@bp.get("/")
@role_page("sponsor_staff")
def home():
    """The sponsor's funds with their balances (a user without a sponsor: registration)."""
    if user().org is None:
        return redirect(url_for("sponsor.register"), 303)
    sponsor_id = own_sponsor_id()
    sponsor = calls.get("sponsorship", f"/sponsors/{sponsor_id}")
    funds = page_of(calls.get("sponsorship", f"/sponsors/{sponsor_id}/funds",
                              {"limit": 50, "cursor": request.args.get("cursor")}))
    return render_template("sponsor/home.html", sponsor=sponsor, funds=funds,
                           paged=bool(request.args.get("cursor")))


@bp.route("/funds/new", methods=["GET", "POST"])
@role_page("sponsor_staff")
def new_fund():
    """Open a fund in rupiah or seats, with its first deposit."""
    sponsor_id = own_sponsor_id()
    form = Form({"unit": "IDR"})
    if request.method == "POST":
        form = Form.posted()
        body: dict[str, Any] = {key: str(form.get(key)).strip()
                                for key in ("name", "unit", "valid_from", "valid_until")}
        if str(form.get("deposit_amount")).strip() or str(form.get("deposit_reference")).strip():
            body["initial_deposit"] = {"amount": whole(form.get("deposit_amount"), money=True),
                                       "reference": str(form.get("deposit_reference")).strip()}
        try:
            fund = calls.post("sponsorship", f"/sponsors/{sponsor_id}/funds", body,
                              headers=idempotency_header())
        except ServiceRefused as refused:
            refused_into(form, refused, {"initial_deposit.amount": "deposit_amount",
                                         "initial_deposit.reference": "deposit_reference"})
        else:
            flash(_("The fund is open."), "success")
            return redirect(url_for("sponsor.fund", fund_id=fund["id"]), 303)
    return render_template("sponsor/fund_new.html", form=form, units=UNITS), \
        (200 if form.ok else 400)


def _own_fund(fund_id: str) -> dict:
    if not UUID.match(fund_id):
        abort(404)
    found = calls.get("sponsorship", f"/funds/{fund_id}")
    if found.get("sponsor_id") != own_sponsor_id():
        abort(404)
    return found


@bp.get("/funds/<fund_id>")
@role_page("sponsor_staff")
def fund(fund_id: str):
    """A fund: balance, ledger (a page at a time), deposit, adjustment and closing."""
    return _fund_page(_own_fund(fund_id), {})


def _fund_page(found: dict, forms: dict[str, Form], status: int = 200):
    kind = request.args.get("kind") if request.args.get("kind") in TRANSACTIONS else None
    ledger = page_of(calls.get("sponsorship", f"/funds/{found['id']}/transactions", {
        "limit": 20, "cursor": request.args.get("cursor"), "kind": kind}))
    forms = {"deposit": Form(), "adjust": Form(), "close": Form(), **forms}
    return render_template("sponsor/fund.html", fund=found, ledger=ledger, kind=kind,
                           kinds=TRANSACTIONS, forms=forms,
                           paged=bool(request.args.get("cursor"))), status


def _status_of(refused: ServiceRefused) -> int:
    return refused.status if refused.status in (409, 422) else 400


@bp.post("/funds/<fund_id>/deposit")
@role_page("sponsor_staff")
def deposit(fund_id: str):
    """Add money or seats; the same reference books once."""
    return _book(fund_id, "deposit", "/deposits")


@bp.post("/funds/<fund_id>/adjust")
@role_page("sponsor_staff")
def adjust(fund_id: str):
    """Correct a fund up or down, with a reason."""
    return _book(fund_id, "adjust", "/adjustments")


def _book(fund_id: str, name: str, path: str):
    found = _own_fund(fund_id)
    form = Form.posted()
    body: dict[str, Any] = {"amount": whole(form.get(f"{name}_amount"), money=True),
                            "reference": str(form.get(f"{name}_reference")).strip()}
    reason = str(form.get(f"{name}_reason")).strip()
    if reason or name == "adjust":
        body["reason"] = reason
    try:
        reply = calls.call("POST", "sponsorship", f"/funds/{fund_id}{path}", json=body,
                           headers=idempotency_header())
    except ServiceRefused as refused:
        refused_into(form, refused, {key: f"{name}_{key}" for key in body})
        return _fund_page(found, {name: form}, _status_of(refused))
    if reply.status == 200:
        flash(_("This reference was booked before: nothing changed."), "warning")
    elif name == "deposit":
        flash(_("The deposit is booked."), "success")
    else:
        flash(_("The adjustment is booked."), "success")
    return redirect(url_for("sponsor.fund", fund_id=fund_id), 303)


@bp.post("/funds/<fund_id>/close")
@role_page("sponsor_staff")
def close_fund(fund_id: str):
    """Close a fund: no new reservations (reserved money may still be committed)."""
    found = _own_fund(fund_id)
    form = Form.posted()
    try:
        calls.post("sponsorship", f"/funds/{fund_id}/close",
                   {"reason": str(form.get("close_reason")).strip()})
    except ServiceRefused as refused:
        refused_into(form, refused, {"reason": "close_reason"})
        return _fund_page(found, {"close": form}, _status_of(refused))
    flash(_("The fund is closed."), "success")
    return redirect(url_for("sponsor.fund", fund_id=fund_id), 303)
