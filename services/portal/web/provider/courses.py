"""Courses: the provider's offering of a SCORE module – list, create, edit, publish, archive."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.portal import calls
from services.portal.backend import ServiceRefused
from services.portal.forms import Form, idempotency_header
from services.portal.web.provider import bp
from services.portal.web.provider.common import (
    UUID,
    act,
    org,
    provider_page,
    refuse,
    whole_number,
)
from services.portal.web.public import reference

TEXTS = ("title_id", "title_en", "description_id", "description_en", "language")
NUMBERS = ("classroom_days", "consultancy_visits", "price_per_participant",
           "max_participants_per_enterprise")
COURSE_STATUSES = ("draft", "published", "archived")
EDITABLE = ("draft", "published")


@bp.get("/courses")
@provider_page
def courses():
    """The provider's courses with their status (and a status filter)."""
    status = request.args.get("status", "")
    params = {"status": status} if status in COURSE_STATUSES else None
    items = calls.get("catalog", f"/providers/{org()}/courses", params)["items"]
    return render_template("provider/courses.html", items=items, status=status,
                           statuses=COURSE_STATUSES)


@bp.route("/courses/new", methods=["GET", "POST"])
@provider_page
def course_new():
    """A new draft course (publishing is a separate step)."""
    form = Form({"language": "id", "classroom_days": "2", "consultancy_visits": "2",
                 "max_participants_per_enterprise": "4"})
    status = 200
    if request.method == "POST":
        form = Form.posted()
        body = _body(form, with_module=True)
        if form.ok:
            try:
                created = calls.post("catalog", f"/providers/{org()}/courses", body,
                                     headers=idempotency_header())
            except ServiceRefused as refused:
                refuse(form, refused)
            else:
                flash(_("The course is saved as a draft. Publish it when it is ready."),
                      "success")
                return redirect(url_for("provider.course", course_id=created["id"]), 303)
        status = 422
    return render_template("provider/course_form.html", form=form, course=None,
                           **reference()), status


@bp.route("/courses/<course_id>", methods=["GET", "POST"])
@provider_page
def course(course_id: str):
    """One course: its details, edited while draft or published; publish, archive."""
    found = _own_course(course_id)
    form = Form({k: found.get(k, "") for k in (*TEXTS, *NUMBERS, "module_code")})
    status = 200
    if request.method == "POST":
        if found["status"] not in EDITABLE:
            flash(_("An archived course can no longer be changed."), "warning")
            return redirect(url_for("provider.course", course_id=course_id), 303)
        form = Form.posted()
        form.values["module_code"] = found["module_code"]
        body = _body(form, with_module=False)
        if form.ok:
            try:
                calls.patch("catalog", f"/courses/{course_id}", body)
            except ServiceRefused as refused:
                refuse(form, refused)
            else:
                flash(_("The course is saved."), "success")
                return redirect(url_for("provider.course", course_id=course_id), 303)
        status = 422
    return render_template("provider/course_form.html", form=form, course=found,
                           **reference()), status


@bp.post("/courses/<course_id>/publish")
@provider_page
def course_publish(course_id: str):
    """Publish a draft course."""
    _own_course(course_id)
    return act(lambda: calls.post("catalog", f"/courses/{course_id}/publish"),
               _("The course is published: you can schedule sessions of it."),
               url_for("provider.course", course_id=course_id))


@bp.post("/courses/<course_id>/archive")
@provider_page
def course_archive(course_id: str):
    """Archive a course: no new sessions; published ones run on."""
    _own_course(course_id)
    return act(lambda: calls.post("catalog", f"/courses/{course_id}/archive"),
               _("The course is archived. Its published sessions run on."),
               url_for("provider.course", course_id=course_id))


def _own_course(course_id: str) -> dict:
    """The course, if it is the user's provider's (else 404)."""
    if not UUID.match(course_id):
        abort(404)
    try:
        found = calls.get("catalog", f"/courses/{course_id}")
    except ServiceRefused as refused:
        if refused.status in (403, 404):
            abort(404)
        raise
    if found.get("provider_id") != org():
        abort(404)
    return found


def _body(form: Form, *, with_module: bool) -> dict:
    body: dict = {name: str(form.get(name)).strip() for name in TEXTS}
    if with_module:
        body["module_code"] = str(form.get("module_code")).strip()
        if not body["module_code"]:
            form.error("module_code", _("Choose a module."))
    for name in NUMBERS:
        value = whole_number(form, name)
        if value is not None:
            body[name] = value
    return body
