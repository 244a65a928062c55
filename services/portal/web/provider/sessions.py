"""Sessions (cohorts) of the provider's courses: list, create, edit, the lifecycle, enrolments."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.portal import calls
from services.portal.backend import ServiceRefused
from services.portal.forms import Form, idempotency_header
from services.portal.web.provider import bp
from services.portal.web.provider.common import (
    act,
    date_of,
    notice,
    org,
    own_session,
    provider_page,
    refuse,
    trainer_names,
    whole_number,
)
from services.portal.web.public import reference, title_of

SESSION_STATUSES = ("draft", "published", "in_progress", "completed", "cancelled")
EDITABLE = ("draft", "published")
TRAINER_ROLES = {"lead": _l("Lead trainer"), "co": _l("Co-trainer")}
TRAINER_ROWS = 3  # empty trainer rows a form offers (more with the "add" button)
PAGE_SIZE = 20
DATES = ("start_date", "end_date", "enrolment_deadline")
TEXTS = ("venue_address", "city", "province_code")


@bp.get("/sessions")
@provider_page
def sessions():
    """The provider's sessions, by status, a page at a time (oldest start first)."""
    status = request.args.get("status", "")
    params = {"limit": PAGE_SIZE, "cursor": request.args.get("cursor", "")}
    if status in SESSION_STATUSES:
        params["status"] = status
    try:
        page = calls.get("catalog", f"/providers/{org()}/sessions", params)
    except ServiceRefused as refused:
        if refused.status != 400:  # a stale cursor: start again
            raise
        return redirect(url_for("provider.sessions", status=status or None))
    return render_template("provider/sessions.html", page=page, status=status,
                           statuses=SESSION_STATUSES)


@bp.route("/sessions/new", methods=["GET", "POST"])
@provider_page
def session_new():
    """A new draft session of one of the provider's courses."""
    form = Form({"course_id": request.args.get("course", ""), "capacity": "25",
                 "estimated_delivery_cost": "0", "trainers.0.role": "lead"})
    status = 200
    if request.method == "POST":
        form = Form.posted()
        body = _body(form, with_course=True)
        if form.ok:
            try:
                created = calls.post("catalog", f"/providers/{org()}/sessions", body,
                                     headers=idempotency_header())
            except ServiceRefused as refused:
                refuse(form, refused)
            else:
                flash(_("The session is saved as a draft. Publish it to open enrolment."),
                      "success")
                return redirect(url_for("provider.session", session_id=created["id"]), 303)
        status = 422
    courses = [c for c in calls.get("catalog", f"/providers/{org()}/courses")["items"]
               if c["status"] != "archived"]
    return render_template("provider/session_form.html", form=form, item=None,
                           course_options=[(c["id"], f"{c['module_code']} · {title_of(c)}")
                                           for c in courses],
                           **_form_context(form)), status


@bp.route("/sessions/<session_id>/edit", methods=["GET", "POST"])
@provider_page
def session_edit(session_id: str):
    """Edit a draft or published session (its course stays)."""
    item = own_session(session_id)
    if item["status"] not in EDITABLE:
        flash(_("Only draft and published sessions can be changed."), "warning")
        return redirect(url_for("provider.session", session_id=session_id), 303)
    form = Form({**{k: item.get(k) for k in (*DATES, *TEXTS, "capacity",
                                              "estimated_delivery_cost")},
                 "ilo_supervised": "true" if item.get("ilo_supervised") else ""})
    for index, trainer in enumerate(item.get("trainers") or []):
        form.values[f"trainers.{index}.trainer_id"] = trainer["trainer_id"]
        form.values[f"trainers.{index}.role"] = trainer["role"]
    status = 200
    if request.method == "POST":
        form = Form.posted()
        body = _body(form, with_course=False)
        if form.ok:
            try:
                calls.patch("catalog", f"/sessions/{session_id}", body)
            except ServiceRefused as refused:
                refuse(form, refused)
            else:
                flash(_("The session is saved."), "success")
                return redirect(url_for("provider.session", session_id=session_id), 303)
        status = 422
    return render_template("provider/session_form.html", form=form, item=item,
                           course_options=[], **_form_context(form)), status


@bp.get("/sessions/<session_id>")
@provider_page
def session(session_id: str):
    """A session: facts, seats held and confirmed, its enrolments, what can be done next."""
    return _session_page(own_session(session_id), Form())


def _session_page(item: dict, cancel_form: Form, status: int = 200):
    session_id = item["id"]
    seats: dict | None = None
    page: dict = {"items": [], "next_cursor": None}
    if item["status"] != "draft":
        try:  # enrolment learns of a session from catalog's events, a moment later
            seats = calls.get("enrolment", f"/sessions/{session_id}")
            page = calls.get("enrolment", f"/sessions/{session_id}/enrolments",
                             {"limit": PAGE_SIZE, "cursor": request.args.get("cursor", "")})
        except ServiceRefused as refused:
            if refused.status not in (400, 404):
                raise
    return render_template("provider/session.html", item=item, seats=seats, page=page,
                           smes=_sme_names(page["items"]), cancel_form=cancel_form,
                           trainer_names=trainer_names(),
                           **reference()), status


@bp.post("/sessions/<session_id>/publish")
@provider_page
def session_publish(session_id: str):
    """Publish a draft session: enrolment opens."""
    own_session(session_id)
    return act(lambda: calls.post("catalog", f"/sessions/{session_id}/publish"),
               _("The session is published: enterprises can enrol now."),
               url_for("provider.session", session_id=session_id))


@bp.post("/sessions/<session_id>/start")
@provider_page
def session_start(session_id: str):
    """Mark a published session as in progress (from its start date)."""
    own_session(session_id)
    return act(lambda: calls.post("catalog", f"/sessions/{session_id}/start"),
               _("The session is in progress. Keep its attendance sheet day by day."),
               url_for("provider.session", session_id=session_id))


@bp.post("/sessions/<session_id>/complete")
@provider_page
def session_complete(session_id: str):
    """Mark a session in progress as completed (from its end date)."""
    own_session(session_id)
    return act(lambda: calls.post("catalog", f"/sessions/{session_id}/complete"),
               _("The session is completed."),
               url_for("provider.session", session_id=session_id))


@bp.post("/sessions/<session_id>/cancel")
@provider_page
def session_cancel(session_id: str):
    """Cancel a session, saying why (enrolled teams are told and refunded)."""
    item = own_session(session_id)
    form = Form.posted()
    reason = str(form.get("reason")).strip()
    if not reason:
        form.error("reason", _("Say why the session is cancelled."))
    else:
        try:
            calls.post("catalog", f"/sessions/{session_id}/cancel", {"reason": reason})
        except ServiceRefused as refused:
            if refused.status != 422:  # not cancellable now: say so on the session's page
                flash(notice(refused), "warning")
                return redirect(url_for("provider.session", session_id=session_id), 303)
            refuse(form, refused)
        else:
            flash(_("The session is cancelled."), "success")
            return redirect(url_for("provider.session", session_id=session_id), 303)
    return _session_page(item, form, 422)


def _body(form: Form, *, with_course: bool) -> dict:
    """The catalog's SessionIn from the form (errors on the form for what is not typed well)."""
    body: dict = {name: str(form.get(name)).strip() for name in TEXTS}
    if with_course:
        body["course_id"] = str(form.get("course_id")).strip()
        if not body["course_id"]:
            form.error("course_id", _("Choose a course."))
    for name in DATES:
        day = date_of(form, name)
        if day is not None:
            body[name] = day
    for name in ("capacity", "estimated_delivery_cost"):
        number = whole_number(form, name)
        if number is not None:
            body[name] = number
    body["ilo_supervised"] = form.get("ilo_supervised") in ("true", "on")
    body["trainers"] = _trainers(form)
    return body


def _trainers(form: Form) -> list[dict]:
    """The trainer rows filled in, in order (their indexes follow the service's errors)."""
    indexes = sorted({int(key.split(".")[1]) for key in form.values
                      if key.startswith("trainers.") and key.split(".")[1].isdigit()})
    trainers: list[dict] = []
    rows: dict[int, int] = {}
    for index in indexes:
        trainer_id = str(form.get(f"trainers.{index}.trainer_id")).strip()
        role = str(form.get(f"trainers.{index}.role")).strip()
        if not trainer_id:
            continue
        if role not in TRAINER_ROLES:
            form.error(f"trainers.{index}.role", _("Choose a role."))
        rows[len(trainers)] = index
        trainers.append({"trainer_id": trainer_id, "role": role})
    # Rows are sent without the empty ones: renumber the form so errors land on their row.
    renumbered = {}
    for sent, typed in rows.items():
        for part in ("trainer_id", "role"):
            renumbered[f"trainers.{sent}.{part}"] = form.get(f"trainers.{typed}.{part}")
    for key in [k for k in form.values if k.startswith("trainers.")]:
        form.values.pop(key)
    form.values.update(renumbered)
    return trainers


def _form_context(form: Form) -> dict:
    """Provinces, the trainers to pick from, and how many trainer rows to show."""
    names = trainer_names()  # none: typed by id instead
    if names:  # a trainer already chosen stays choosable, named or not
        for key, value in form.values.items():
            if key.endswith(".trainer_id") and value and value not in names:
                names[str(value)] = str(value)
    filled = {int(k.split(".")[1]) for k in form.values
              if k.startswith("trainers.") and k.split(".")[1].isdigit()}
    rows = max(TRAINER_ROWS, (max(filled) + 2) if filled else 0)
    return {"trainer_options": sorted(names.items(), key=lambda pair: pair[1]),
            "role_options": [(k, str(v)) for k, v in TRAINER_ROLES.items()],
            "trainer_rows": rows, **reference()}


def _sme_names(enrolments: list[dict]) -> dict[str, str]:
    """The enrolled SMEs' names (an SME the provider may not read shows by its id)."""
    names: dict[str, str] = {}
    for enrolment in enrolments:
        sme_id = enrolment.get("sme_id")
        if not sme_id or sme_id in names:
            continue
        try:
            names[sme_id] = calls.get("enrolment", f"/smes/{sme_id}").get("legal_name", sme_id)
        except ServiceRefused:
            names[sme_id] = sme_id
    return names
