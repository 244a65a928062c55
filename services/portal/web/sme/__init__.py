"""The SME user's pages: register the enterprise, enrol a team, pay, follow the training.

    __init__.py   the blueprint, registering the SME, its home page
    enrol.py      enrolling a team in a session (sponsor offers first; the waitlist when full)
    payments.py   the enrolments, paying (card checkout or bank invoice), cancelling
    results.py    KPIs and the participants' certificates
    labels.py     this area's codes in words (sponsor reasons, size classes...)

Every call is made with the user's token, and every service scopes it to the user's
SME; the pages also check that what they show belongs to it (``user().org``).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from services.portal import calls, reference, users
from services.portal.backend import ServiceRefused
from services.portal.forms import Form, idempotency_header
from services.portal.web.guard import role_page, user
from services.portal.web.sme import labels

bp = Blueprint("sme", __name__, url_prefix="/sme")

# Open enrolments: seats held, a payment open, or confirmed and not yet delivered.
OPEN = ("held", "awaiting_payment", "confirmed")
# After registering, how long to wait for identity to grant the membership.
SETUP_WAIT_S = 5.0
SETUP_POLL_S = 0.25
SME_FIELDS = ("legal_name", "nib", "npwp", "kbli_code", "kbli_version", "province_code", "city",
              "address", "employees_women", "employees_men", "contact_name", "contact_email",
              "contact_phone")
KBLI_VERSIONS = ("2020", "2025")


def sme_page(view: Callable) -> Callable:
    """An ``sme_user`` page that needs the user's SME: without one, register it first."""

    @role_page("sme_user")
    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if user().org is None:
            return redirect(url_for("sme.register"), 303)
        return view(*args, **kwargs)

    return guarded


def sme_id() -> str:
    """The signed-in user's SME."""
    org = user().org
    assert org is not None
    return org


def provinces() -> list[dict]:
    """Catalog's provinces, by name."""
    return reference.provinces()


def offered_sessions(ids: list[str]) -> dict[str, dict]:
    """Enrolment's view of each session (title, dates, city), by id; unknown ones left out."""
    found: dict[str, dict] = {}
    for session_id in dict.fromkeys(ids):
        try:
            found[session_id] = calls.get("enrolment", f"/sessions/{session_id}")
        except ServiceRefused:
            continue
    return found


def _int_or_text(value: Any) -> Any:
    text = str(value).strip()
    return int(text) if text.isdigit() else text


@bp.get("/")
@sme_page
def home():
    """The SME's profile in brief, its open enrolments and where to go next."""
    sme = calls.get("enrolment", f"/smes/{sme_id()}")
    page = calls.get("enrolment", "/enrolments", {"sme_id": sme_id(), "limit": 50})
    open_items = [e for e in page["items"] if e["status"] in OPEN]
    province = {p["bps_code"]: p["name"] for p in provinces()}.get(sme["province_code"], "")
    return render_template("sme/home.html", sme=sme, province=province, items=open_items,
                           sessions=offered_sessions([e["session_id"] for e in open_items]),
                           done=sum(e["status"] == "completed" for e in page["items"]),
                           labels=labels)


@bp.route("/register", methods=["GET", "POST"])
@role_page("sme_user")
def register():
    """Register the user's SME; identity then lets the user act for it (an event away)."""
    if user().org is not None:
        session.pop("sme_registered", None)
        return redirect(url_for("sme.home"), 303)
    if session.get("sme_registered"):
        # Registered a moment ago: perhaps identity has granted the membership by now.
        if _wait_for_membership(0):
            session.pop("sme_registered", None)
            return redirect(url_for("sme.home"), 303)
        return render_template("sme/setting_up.html")
    form = Form({"kbli_version": "2020"})
    if request.method == "POST":
        form = Form.posted()
        body = _sme_body(form)
        if form.ok:
            try:
                created = calls.call("POST", "enrolment", "/smes", json=body,
                                     headers=idempotency_header()).body
            except ServiceRefused as refused:
                form.refused(refused)
                if refused.status == 409 and "nib" in refused.errors:
                    form.errors["nib"] = [_("An enterprise with this NIB is already registered.")]
                elif refused.status == 409:  # this account registered one: it is on its way
                    session["sme_registered"] = True
                    return redirect(url_for("sme.register"), 303)
            else:
                session["sme_registered"] = (created or {}).get("id", True)
                if _wait_for_membership(SETUP_WAIT_S):
                    session.pop("sme_registered", None)
                    flash(_("Your enterprise is registered. You can now enrol teams."), "success")
                    return redirect(url_for("sme.home"), 303)
                return redirect(url_for("sme.register"), 303)
    options = [(p["bps_code"], p["name"]) for p in provinces()]
    return render_template("sme/register.html", form=form, provinces=options,
                           kbli_versions=[(v, v) for v in KBLI_VERSIONS]), (200 if form.ok else 422)


def _sme_body(form: Form) -> dict:
    """The registration as enrolment takes it; what can be checked here is checked here."""
    body: dict[str, Any] = {name: str(form.get(name)).strip() for name in SME_FIELDS}
    body["npwp"] = body["npwp"] or None
    for name in ("employees_women", "employees_men"):
        body[name] = _int_or_text(body[name])
    total = str(form.get("employees_total")).strip()
    women, men = body["employees_women"], body["employees_men"]
    if total and isinstance(women, int) and isinstance(men, int):
        if not total.isdigit():
            form.error("employees_total", _("Enter a whole number."))
        elif int(total) != women + men:
            form.error("employees_total", _("Women and men add up to %(sum)s, not %(total)s.",
                                            sum=women + men, total=total))
    if body["nib"] and not (body["nib"].isdigit() and len(body["nib"]) == 13):
        form.error("nib", _("The NIB has exactly 13 digits."))
    return body


def _wait_for_membership(seconds: float) -> bool:
    """Refresh the tokens until they name the user's SME (at most ``seconds``)."""
    deadline = time.monotonic() + seconds
    while True:
        users.refresh()
        current = users.current_user()
        if current is not None and current.org is not None:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(SETUP_POLL_S)


from services.portal.web.sme import enrol, payments, results  # noqa: E402,F401  (their pages)
