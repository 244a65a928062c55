"""A provider's registration (pending a platform admin's approval) and its overview."""

from __future__ import annotations

import time

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from services.portal import calls, users
from services.portal.backend import ServiceRefused
from services.portal.forms import Form, idempotency_header
from services.portal.web.guard import role_page, user
from services.portal.web.provider import bp
from services.portal.web.provider.common import org, provider_page, refuse, status_badge
from services.portal.web.public import module_name, reference

# How long registering waits for identity to grant the membership (catalog's
# provider.registered event), asking for a new token every POLL_INTERVAL_S.
MEMBERSHIP_WAIT_S = 5.0
POLL_INTERVAL_S = 0.5
PROVIDER_FIELDS = ("legal_name", "npwp", "contact_name", "email", "phone", "address",
                   "description", "website")
# Counted on the overview, at most this many per status (more: "100+").
COUNT_LIMIT = 100


@bp.context_processor
def _helpers() -> dict:
    return {"badge": status_badge, "module_name": module_name}


@bp.route("/register", methods=["GET", "POST"])
@role_page("provider_staff")
def register():
    """Register the user's provider; it awaits a platform admin's approval."""
    if user().org is not None:
        return redirect(url_for("provider.home"))
    form = Form({"provinces_served": []})
    status = 200
    if request.method == "POST":
        form = Form.posted()
        body = {name: str(form.get(name)).strip() for name in PROVIDER_FIELDS}
        body["website"] = body["website"] or None
        provinces = form.get("provinces_served", [])
        body["provinces_served"] = [provinces] if isinstance(provinces, str) else list(provinces)
        form.values["provinces_served"] = body["provinces_served"]
        try:
            created = calls.post("catalog", "/providers", body, headers=idempotency_header())
        except ServiceRefused as refused:
            already = refused.status == 409 and not refused.errors
            if not already:
                refuse(form, refused)
                status = refused.status if refused.status in (400, 409, 422) else 400
        else:
            session["provider_registered"] = created.get("id", "")
            already = True
        if already:
            if _membership_arrived():
                flash(_("Your provider is registered. A platform admin will review it; until "
                        "it is approved you can prepare courses and sessions."), "success")
                return redirect(url_for("provider.home"), 303)
            session["provider_registered"] = session.get("provider_registered") or "pending"
            return redirect(url_for("provider.register"), 303)
    waiting = bool(session.get("provider_registered"))
    return render_template("provider/register.html", form=form, waiting=waiting,
                           **reference()), status


@bp.post("/register/check")
@role_page("provider_staff")
def register_check():
    """Ask again whether the registration has reached the user's account."""
    if _membership_arrived():
        flash(_("Your provider is registered and awaits a platform admin's approval."),
              "success")
        return redirect(url_for("provider.home"), 303)
    flash(_("Your registration is still being set up. Please check again in a moment."),
          "warning")
    return redirect(url_for("provider.register"), 303)


def _membership_arrived() -> bool:
    """Refresh the token until it acts for a provider (at most ``MEMBERSHIP_WAIT_S``)."""
    deadline = time.monotonic() + MEMBERSHIP_WAIT_S
    while True:
        users.refresh()
        current = users.current_user()
        if current is not None and current.org is not None:
            session.pop("provider_registered", None)
            return True
        if time.monotonic() + POLL_INTERVAL_S > deadline:
            return False
        time.sleep(POLL_INTERVAL_S)


@bp.get("/")
@provider_page
def home():
    """The provider's status, what awaits it, and the ways to its work."""
    provider_id = org()
    provider = calls.get("catalog", f"/providers/{provider_id}")
    counts = {}
    for status in ("draft", "published", "in_progress"):
        page = calls.get("catalog", f"/providers/{provider_id}/sessions",
                         {"status": status, "limit": COUNT_LIMIT})
        counts[status] = _count(page)
    invoices = calls.get("enrolment", f"/providers/{provider_id}/invoices",
                         {"status": "pending", "limit": COUNT_LIMIT})
    counts["awaiting_transfer"] = _count(invoices)
    return render_template("provider/home.html", provider=provider, counts=counts)


def _count(page: dict) -> str:
    items = len(page.get("items") or [])
    return f"{items}+" if page.get("next_cursor") else str(items)
