"""The trainer pages: progress per module, credentials, and an expert's recommendations.

A trainer's id is their user's id (certification's rule), so every call names
``/trainers/<the user's subject>``; certification itself refuses anyone else's record.
``home`` shows each module's status and the rule engine's assessment – what is done
and what is still missing – or the registration form when there is no profile yet.
``credentials`` lists the trainer's Open Badges with downloads and a share link.
``recommendations`` is an expert trainer's: mentees in supervised delivery, their
progress reports to review, and a recommend-or-decline form.
"""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.portal import calls
from services.portal import reference as reference_data
from services.portal.backend import ServiceRefused
from services.portal.charts import progress_bar
from services.portal.forms import Form, idempotency_header
from services.portal.web.guard import role_page, user
from services.portal.web.public import module_name

bp = Blueprint("trainer", __name__, url_prefix="/trainer")

MODULES = ("M1", "M2", "M3", "M4", "M5")
# Statuses on the way to certification: the assessment says what is still missing.
ON_THE_WAY = ("candidate", "tot_completed", "in_supervised_delivery", "recommended")
SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
FORM_STATUSES = (400, 409, 422)

# The rule engine's steps to certification, in order: (codes of "missing", label).
STEPS = (
    (("MISSING_TOT",), _l("Training of Trainers attended")),
    (("TOO_FEW_SESSIONS_CO",), _l("Sessions co-delivered")),
    (("TOO_FEW_SESSIONS_LEAD",), _l("Sessions led")),
    (("TOO_FEW_VISITS",), _l("Consultancy visits made")),
    (("REPORT_NOT_ACCEPTED",), _l("Progress report accepted")),
    (("NO_RECOMMENDATION", "RECOMMENDATION_DECLINED"), _l("Recommended by an expert trainer")),
)
SUPPORTED = {
    "candidate": _l("Candidate"),
    "tot_completed": _l("Training of Trainers completed"),
    "in_supervised_delivery": _l("In supervised delivery"),
    "ready_for_recommendation": _l("Ready for an expert's recommendation"),
    "eligible_for_certification": _l("Eligible for certification"),
}
# A trainer's status in a module (certification's lifecycle), in words.
MODULE_STATUSES = {
    "candidate": _l("Candidate"), "tot_completed": _l("Training of Trainers completed"),
    "in_supervised_delivery": _l("In supervised delivery"), "recommended": _l("Recommended"),
    "certified": _l("Certified"), "suspended": _l("Suspended"), "expired": _l("Expired"),
    "withdrawn": _l("Withdrawn"), "revoked": _l("Revoked"),
}
REPORT_STATUSES = {"submitted": _l("Awaiting review"), "accepted": _l("Accepted"),
                   "rejected": _l("Rejected")}


def explain(missing: dict) -> str:
    """One missing item of an assessment in words: what is there and what is needed."""
    code, have, need = missing.get("code"), missing.get("have"), missing.get("need")
    if code == "MISSING_TOT":
        return _("No Training of Trainers for this module is on record yet.")
    if code == "TOO_FEW_SESSIONS_CO":
        return _("%(have)s of %(need)s co-delivered sessions (as lead or co-trainer).",
                 have=have, need=need)
    if code == "TOO_FEW_SESSIONS_LEAD":
        return _("%(have)s of %(need)s sessions led.", have=have, need=need)
    if code == "TOO_FEW_VISITS":
        return _("%(have)s of %(need)s consultancy visits.", have=have, need=need)
    if code == "REPORT_NOT_ACCEPTED":
        return _("No progress report has been accepted by an expert trainer yet.")
    if code == "NO_RECOMMENDATION":
        return _("No expert trainer has recommended certification yet.")
    if code == "RECOMMENDATION_DECLINED":
        return _("An expert trainer declined to recommend certification: %(detail)s",
                 detail=missing.get("detail", ""))
    return _("Not met yet: %(detail)s", detail=missing.get("detail", code))


def module_status(code: str | None) -> str:
    """A trainer's status in a module, in words."""
    return str(MODULE_STATUSES.get(code or "", code or ""))


def checklist(assessment: dict) -> list[dict]:
    """Each step to certification: done or not, with its counts when the rules count it."""
    missing = {m.get("code"): m for m in assessment.get("missing") or []}
    steps = []
    for codes, label in STEPS:
        found = next((missing[c] for c in codes if c in missing), None)
        if found is None:
            steps.append({"label": str(label), "done": True, "have": None, "need": None,
                          "explanation": None})
            continue
        have, need = found.get("have"), found.get("need")
        counted = isinstance(have, int) and not isinstance(have, bool) and isinstance(need, int)
        steps.append({"label": str(label), "done": False, "have": have if counted else None,
                      "need": need if counted else None, "explanation": explain(found)})
    return steps


def _status(refused: ServiceRefused) -> int:
    return refused.status if refused.status in FORM_STATUSES else 400


def _me() -> dict | None:
    """The signed-in trainer's record, or None before they registered."""
    try:
        return calls.get("certification", f"/trainers/{user().subject}")
    except ServiceRefused as refused:
        if refused.status == 404:
            return None
        raise


def _reference() -> dict:
    modules, provinces = reference_data.modules(), reference_data.provinces()
    return {"module_names": {m["code"]: module_name(m) for m in modules},
            "province_options": [(p["bps_code"], p["name"]) for p in provinces],
            "province_names": {p["bps_code"]: p["name"] for p in provinces}}


# -- progress ------------------------------------------------------------------------------


@bp.get("/")
@role_page("trainer")
def home():
    """Progress per module (what is done, what is missing), or the profile form."""
    return _home()


def _home(profile: Form | None = None, reports: dict[str, Form] | None = None,
          status: int = 200):
    trainer = _me()
    reference = _reference()
    if trainer is None:
        providers = calls.get("catalog", "/providers")["items"]
        form = profile or Form({"full_name": user().name})
        return render_template(
            "trainer/register.html", form=form, modules=MODULES,
            provider_options=[(p["id"], p["legal_name"]) for p in providers],
            **reference), status
    modules = []
    for module in trainer.get("modules") or []:
        code = module["module_code"]
        path = f"/trainers/{trainer['id']}/modules/{code}"
        assessment = (calls.get("certification", f"{path}/assessment")
                      if module["status"] in ON_THE_WAY else None)
        steps = checklist(assessment) if assessment else []
        modules.append({
            **module, "assessment": assessment, "steps": steps,
            "done": sum(1 for s in steps if s["done"]),
            "supported": str(SUPPORTED.get(str((assessment or {}).get("supported")), "")),
            "reports": calls.get("certification", f"{path}/reports"),
            "form": (reports or {}).get(code) or Form()})
    return render_template("trainer/home.html", trainer=trainer, modules=modules,
                           report_statuses=REPORT_STATUSES, progress_bar=progress_bar,
                           module_status=module_status, **reference), status


@bp.post("/")
@role_page("trainer")
def register():
    """Register the trainer's profile at certification (a candidate in each module)."""
    form = Form.posted()
    body = {name: str(form.get(name)).strip()
            for name in ("full_name", "gender", "province_code", "organisation")}
    body["provider_id"] = str(form.get("provider_id")).strip() or None
    body["modules_of_interest"] = [m for m in MODULES if form.get(f"modules_of_interest.{m}")]
    if not body["modules_of_interest"]:
        form.error("modules_of_interest", _("Choose at least one module."))
        return _home(profile=form, status=422)
    try:
        calls.post("certification", "/trainers", body, headers=idempotency_header())
    except ServiceRefused as refused:
        form.refused(refused)
        return _home(profile=form, status=_status(refused))
    flash(_("Your trainer profile is registered. You are a candidate in each module you "
            "chose."), "success")
    return redirect(url_for("trainer.home"), 303)


@bp.post("/modules/<code>/reports")
@role_page("trainer")
def submit_report(code: str):
    """Send a progress report in one module to the expert trainers."""
    if code not in MODULES:
        abort(404)
    form = Form.posted()
    body = {"title": str(form.get(f"{code}.title")).strip(),
            "body": str(form.get(f"{code}.body")).strip()}
    try:
        calls.post("certification", f"/trainers/{user().subject}/modules/{code}/reports", body,
                   headers=idempotency_header())
    except ServiceRefused as refused:
        form.refused(refused, names={"title": f"{code}.title", "body": f"{code}.body"})
        return _home(reports={code: form}, status=_status(refused))
    flash(_("Your progress report for %(module)s is sent for review.", module=code), "success")
    return redirect(url_for("trainer.home"), 303)


# -- credentials ---------------------------------------------------------------------------


def _credentials() -> list[dict] | None:
    try:
        return calls.get("certification", f"/trainers/{user().subject}/credentials")
    except ServiceRefused as refused:
        if refused.status == 404:
            return None
        raise


@bp.get("/credentials")
@role_page("trainer")
def credentials():
    """The trainer's credentials: state, downloads, share link and token."""
    found = _credentials()
    return render_template("trainer/credentials.html", credentials=found,
                           module_names=_reference()["module_names"])


def _own_credential(credential_id: str) -> dict:
    for credential in _credentials() or []:
        if credential["id"] == credential_id:
            return credential
    abort(404)


@bp.get("/credentials/<credential_id>.jwt")
@role_page("trainer")
def credential_jwt(credential_id: str):
    """The credential as issued: its JWT-VC, as a file."""
    credential = _own_credential(credential_id)
    return _download(credential["token"], "application/vc+jwt",
                     f"score-{credential['module_code']}-{credential_id}.jwt")


@bp.get("/credentials/<credential_id>.json")
@role_page("trainer")
def credential_json(credential_id: str):
    """The credential as issued: its Open Badges 3.0 JSON, as a file."""
    credential = _own_credential(credential_id)
    return _download(json.dumps(credential["credential"], indent=2, ensure_ascii=False),
                     "application/json",
                     f"score-{credential['module_code']}-{credential_id}.json")


def _download(body: str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# -- an expert's recommendations -----------------------------------------------------------


@bp.get("/recommendations")
@role_page("trainer")
def recommendations():
    """Mentees awaiting an expert's recommendation (expert trainers only)."""
    return _recommendations()


def _recommendations(forms: dict[str, Form] | None = None, status: int = 200):
    me = _me()
    experts = sorted((me or {}).get("expert_modules") or [])
    candidates = []
    for code in experts:
        page = calls.get("certification", "/trainers", {
            "module": code, "status": "in_supervised_delivery", "limit": 100})
        for mentee in page["items"]:
            if mentee["id"] == (me or {}).get("id"):
                continue
            path = f"/trainers/{mentee['id']}/modules/{code}"
            assessment = calls.get("certification", f"{path}/assessment")
            reports = calls.get("certification", f"{path}/reports")
            key = f"{mentee['id']}-{code}"
            candidates.append({
                "trainer": mentee, "module": code, "key": key, "assessment": assessment,
                "ready": not [m for m in assessment.get("missing") or [] if m.get("code") not in
                              ("NO_RECOMMENDATION", "RECOMMENDATION_DECLINED")],
                "reports": reports, "form": (forms or {}).get(key) or Form(),
                "report_forms": {r["id"]: (forms or {}).get(f"report-{r['id']}") or Form()
                                 for r in reports}})
    return render_template("trainer/recommendations.html", trainer=me, experts=experts,
                           candidates=candidates, report_statuses=REPORT_STATUSES,
                           explain=explain, **_reference()), status


@bp.post("/recommendations/<trainer_id>/<code>")
@role_page("trainer")
def recommend(trainer_id: str, code: str):
    """Recommend a mentee for certification in a module, or decline, with comments."""
    if code not in MODULES or not SAFE_ID.match(trainer_id):
        abort(404)
    key = f"{trainer_id}-{code}"
    form = Form.posted()
    decision = str(form.get("decision"))
    if decision not in ("recommend", "decline"):
        form.message = _("Choose recommend or decline.")
        return _recommendations({key: form}, 422)
    body = {"decision": decision, "comments": str(form.get(f"{key}.comments")).strip()}
    try:
        calls.post("certification", f"/trainers/{trainer_id}/modules/{code}/recommendations",
                   body, headers=idempotency_header())
    except ServiceRefused as refused:
        form.refused(refused, names={"comments": f"{key}.comments"})
        missing = refused.problem.get("missing") or []
        if missing:
            form.message = _("Not ready for a recommendation yet: %(missing)s",
                             missing=" ".join(explain(m) for m in missing))
        return _recommendations({key: form}, _status(refused))
    flash(_("Your recommendation is recorded.") if decision == "recommend"
          else _("Your decision not to recommend is recorded."), "success")
    return redirect(url_for("trainer.recommendations"), 303)


@bp.post("/reports/<report_id>")
@role_page("trainer")
def review_report(report_id: str):
    """Accept or reject a mentee's progress report, with comments."""
    if not SAFE_ID.match(report_id):
        abort(404)
    key = f"report-{report_id}"
    form = Form.posted()
    verdict = str(form.get("verdict"))
    if verdict not in ("accept", "reject"):
        form.message = _("Choose accept or reject.")
        return _recommendations({key: form}, 422)
    try:
        calls.post("certification", f"/reports/{report_id}/{verdict}",
                   {"comments": str(form.get(f"{key}.comments")).strip()})
    except ServiceRefused as refused:
        form.refused(refused, names={"comments": f"{key}.comments"})
        return _recommendations({key: form}, _status(refused))
    flash(_("The report is accepted.") if verdict == "accept" else _("The report is rejected."),
          "success")
    return redirect(url_for("trainer.recommendations"), 303)
