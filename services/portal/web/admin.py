"""The platform admin's approvals: providers, sponsors, and trainers to certify.

Providers (catalog) and sponsors (sponsorship) register as ``pending``; the admin
approves them. Their lifecycles know no rejection of a pending registration: an
approved one may be suspended with a reason, a suspended one reinstated (approved
again). The page shows one status at a time (pending by default). Trainers an
expert recommended wait for the certifier's decision (an ILO-designated certifier
is a platform admin account): certify, with an optional note.
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.portal import calls
from services.portal import reference as reference_data
from services.portal.backend import ServiceRefused
from services.portal.forms import Form
from services.portal.web.guard import role_page
from services.portal.web.trainer import explain

bp = Blueprint("admin", __name__, url_prefix="/admin")

SHOWN = ("pending", "approved", "suspended")
# What may be done to a provider or sponsor in each status: (action, needs a reason).
ACTIONS = {"pending": ("approve", False), "approved": ("suspend", True),
           "suspended": ("approve", False)}
# Who owns each kind of organisation, and where.
OWNERS = {"providers": ("catalog", "/providers"), "sponsors": ("sponsorship", "/sponsors")}
MODULES = ("M1", "M2", "M3", "M4", "M5")
SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
FORM_STATUSES = (400, 409, 422)
SPONSOR_KINDS = {"ministry": _l("Ministry"), "donor": _l("Donor"),
                 "lead_buyer": _l("Lead buyer"), "association": _l("Association"),
                 "other": _l("Other")}


@bp.get("/")
@role_page("platform_admin")
def home():
    """The approval queues: providers, sponsors, recommended trainers."""
    return _home(request.args.get("show", "pending"))


def _home(show: str, forms: dict[str, Form] | None = None, status: int = 200):
    show = show if show in SHOWN else "pending"
    providers = calls.get("catalog", "/providers", {"status": show})["items"]
    sponsors = calls.get("sponsorship", "/sponsors", {"status": show, "limit": 100})["items"]
    recommended = calls.get("certification", "/trainers",
                            {"status": "recommended", "limit": 100})["items"]
    provinces = {p["bps_code"]: p["name"] for p in reference_data.provinces()}
    to_certify = [{"trainer": t, "module": m} for t in recommended
                  for m in t.get("modules") or [] if m.get("status") == "recommended"]
    action, needs_reason = ACTIONS[show]
    return render_template(
        "admin/home.html", show=show, shown=SHOWN, providers=providers, sponsors=sponsors,
        to_certify=to_certify, provinces=provinces, action=action, needs_reason=needs_reason,
        forms=forms or {}, sponsor_kinds=SPONSOR_KINDS, empty=Form()), status


def _status(refused: ServiceRefused) -> int:
    return refused.status if refused.status in FORM_STATUSES else 400


@bp.post("/<kind>/<org_id>/<action>")
@role_page("platform_admin")
def decide(kind: str, org_id: str, action: str):
    """Approve (or reinstate) or suspend a provider or a sponsor."""
    if kind not in OWNERS or action not in ("approve", "suspend") or not SAFE_ID.match(org_id):
        abort(404)
    service, path = OWNERS[kind]
    key = f"{kind}-{org_id}"
    form = Form.posted()
    show = str(form.get("show")) if form.get("show") in SHOWN else "pending"
    reason = str(form.get(f"{key}.reason")).strip()
    if action == "suspend" and not reason:
        form.error(f"{key}.reason", _("Give the reason for the suspension."))
        return _home(show, {key: form}, 422)
    try:
        calls.post(service, f"{path}/{org_id}/{action}", {"reason": reason or None})
    except ServiceRefused as refused:
        form.refused(refused, names={"reason": f"{key}.reason"})
        return _home(show, {key: form}, _status(refused))
    name = str(form.get("name"))
    flash(_("%(name)s is approved.", name=name) if action == "approve"
          else _("%(name)s is suspended.", name=name), "success")
    return redirect(url_for("admin.home", show=show), 303)


@bp.post("/trainers/<trainer_id>/<code>/certify")
@role_page("platform_admin")
def certify(trainer_id: str, code: str):
    """Certify a recommended trainer in a module (the credential is issued)."""
    if code not in MODULES or not SAFE_ID.match(trainer_id):
        abort(404)
    key = f"certify-{trainer_id}-{code}"
    form = Form.posted()
    show = str(form.get("show")) if form.get("show") in SHOWN else "pending"
    note = str(form.get(f"{key}.reason")).strip()
    try:
        calls.post("certification", f"/trainers/{trainer_id}/modules/{code}/certify",
                   {"reason": note or None})
    except ServiceRefused as refused:
        form.refused(refused, names={"reason": f"{key}.reason"})
        missing = refused.problem.get("missing") or []
        if missing:
            form.message = _("Not eligible for certification yet: %(missing)s",
                             missing=" ".join(explain(m) for m in missing))
        return _home(show, {key: form}, _status(refused))
    flash(_("%(name)s is certified in %(module)s; the credential is issued.",
            name=str(form.get("name")), module=code), "success")
    return redirect(url_for("admin.home", show=show), 303)
