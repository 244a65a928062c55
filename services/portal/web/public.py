"""Pages anyone may open: session search, a session, a provider, certificate verification."""

from __future__ import annotations

import re

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.portal import calls
from services.portal import reference as reference_data
from services.portal.backend import ServiceRefused
from services.portal.forms import Form
from services.portal.i18n import language

bp = Blueprint("public", __name__)

# The catalog's search filters, as the search form names them.
FILTERS = ("q", "module", "province", "city", "date_from", "date_to", "language",
           "price_min", "price_max", "provider", "has_free_seats", "sort")
SORTS = ("date", "-date", "price", "-price")
UUID = re.compile(r"^[0-9a-fA-F-]{36}$")


def reference() -> dict:
    """Modules and provinces for the filters (catalog's reference data)."""
    modules, provinces = reference_data.modules(), reference_data.provinces()
    return {"modules": modules, "provinces": provinces,
            "module_options": [(m["code"], f"{m['code']} · {module_name(m)}") for m in modules],
            "province_options": [(p["bps_code"], p["name"]) for p in provinces]}


def module_name(module: dict | None) -> str:
    """A module's name in the page's language."""
    if not module:
        return ""
    return module.get("name_en" if language() == "en" else "name_id") or module.get("code", "")


@bp.app_template_global()
def title_of(item: dict | None) -> str:
    """A course's title in the page's language (the other one when it has none)."""
    if not item:
        return ""
    first, second = ("title_en", "title_id") if language() == "en" else ("title_id", "title_en")
    return item.get(first) or item.get(second) or ""


@bp.get("/")
def home():
    """The marketplace's front page is its search."""
    return search()


@bp.get("/sessions")
def search():
    """Find a training session: every catalog filter, sorted, a page at a time."""
    form = Form({k: v for k, v in request.args.items() if k in FILTERS or k == "cursor"})
    params = {k: v for k, v in form.values.items() if v}
    if params.get("has_free_seats") not in (None, "true"):
        params.pop("has_free_seats")
    page = {"items": [], "next_cursor": None}
    try:
        page = calls.get("catalog", "/sessions", params)
    except ServiceRefused as refused:
        form.refused(refused)
    return render_template("public/search.html", form=form, page=page, sorts=SORTS,
                           module_name=module_name, **reference())


@bp.get("/sessions/<session_id>")
def session_detail(session_id: str):
    """One session: course, dates, seats, price, provider and trainers."""
    if not UUID.match(session_id):
        return redirect(url_for("public.search"))
    session = calls.get("catalog", f"/sessions/{session_id}")
    provinces = {p["bps_code"]: p["name"] for p in reference()["provinces"]}
    return render_template("public/session.html", item=session, module_name=module_name,
                           province=provinces.get(session.get("province_code"), ""))


@bp.get("/providers/<provider_id>")
def provider(provider_id: str):
    """A provider: who they are, where they serve and their published sessions."""
    found = calls.get("catalog", f"/providers/{provider_id}")
    sessions = calls.get("catalog", "/sessions", {"provider": provider_id, "limit": 50})
    provinces = {p["bps_code"]: p["name"] for p in reference()["provinces"]}
    return render_template("public/provider.html", provider=found, sessions=sessions["items"],
                           provinces=provinces, module_name=module_name)


@bp.route("/verify", methods=["GET", "POST"])
def verify():
    """Check a certificate: paste its token (or open a credential link) – signature,
    validity and revocation, with the reasons it fails."""
    form, result, credential = Form(), None, None
    credential_id = request.args.get("credential", "").strip()
    if request.method == "POST":
        form = Form.posted()
        token = str(form.get("token")).strip()
        if not token:
            form.error("token", _("Paste the certificate's token."))
        else:
            try:
                result = calls.post("certification", "/credentials/verify", {"token": token})
            except ServiceRefused as refused:
                form.refused(refused)
    elif credential_id and UUID.match(credential_id):
        try:
            credential = calls.get("certification", f"/credentials/{credential_id}")
            result = credential["verification"]
            form.values["token"] = credential["token"]
        except ServiceRefused:
            form.error("token", _("No certificate has this number."))
    return render_template("public/verify.html", form=form, result=result,
                           credential=credential, subject=_subject(result))


def _subject(result: dict | None) -> dict:
    """Who and what a verified credential names (never trusted as HTML)."""
    document = (result or {}).get("credential") or {}
    subject = document.get("credentialSubject") or {}
    names = [i.get("identityHash") for i in subject.get("identifier") or []
             if isinstance(i, dict) and i.get("identityType") == "name"]
    return {"name": names[0] if names else None,
            "achievement": (subject.get("achievement") or {}).get("name"),
            "valid_from": document.get("validFrom"), "valid_until": document.get("validUntil")}
