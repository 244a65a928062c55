"""Delivery: a session's attendance sheet (participants × classroom days) and consultancy visits."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from services.portal import calls
from services.portal.backend import ServiceRefused
from services.portal.forms import Form, idempotency_header
from services.portal.web.provider import bp
from services.portal.web.provider.common import (
    UUID,
    act,
    date_of,
    lines_of,
    notice,
    org,
    own_session,
    provider_page,
    refuse,
    trainer_names,
    whole_number,
)

DELIVERED = ("in_progress", "completed")


def _sheet(session_id: str) -> dict:
    try:
        return calls.get("enrolment", f"/sessions/{session_id}/attendance")
    except ServiceRefused as refused:
        if refused.status != 404:
            raise
        return {"session_id": session_id, "classroom_days": 0, "days_required": 0,
                "enrolments": []}


@bp.get("/sessions/<session_id>/attendance")
@provider_page
def attendance(session_id: str):
    """The attendance sheet: every confirmed team's participants × classroom days."""
    item = own_session(session_id)
    sheet = _sheet(session_id)
    return render_template("provider/attendance.html", item=item, sheet=sheet,
                           recorded=_recorded_days(_sheet_rows(sheet)))


@bp.post("/sessions/<session_id>/attendance")
@provider_page
def attendance_save(session_id: str):
    """Save the sheet: each confirmed team's days that are marked or were recorded before."""
    own_session(session_id)
    form = Form.posted()
    sheet = _sheet(session_id)
    marked = {int(d) for d in _list(form.get("record_day", [])) if str(d).isdigit()}
    recorded = _recorded_days(_sheet_rows(sheet))
    problems, saved = [], 0
    for team in sheet["enrolments"]:
        if team["status"] != "confirmed":
            continue  # a completed team's attendance is closed
        team_id = team["enrolment_id"]
        for day in range(1, sheet["classroom_days"] + 1):
            present = _list(form.get(f"present.{team_id}.{day}", []))
            if not (present or day in marked or day in recorded):
                continue  # a day not kept yet, with nobody marked: leave it unrecorded
            try:
                calls.put("enrolment", f"/enrolments/{team_id}/attendance/{day}",
                          {"present": present})
                saved += 1
            except ServiceRefused as refused:
                problems.append(_("%(team)s, day %(day)s: %(why)s", team=team.get("sme_name"),
                                  day=day, why=notice(refused)))
    for problem in problems:
        flash(problem, "error")
    if not problems:
        flash(_("Attendance saved.") if saved else _("Nothing to save: mark who attended."),
              "success" if saved else "warning")
    return redirect(url_for("provider.attendance", session_id=session_id), 303)


@bp.post("/sessions/<session_id>/attendance/close")
@provider_page
def attendance_close(session_id: str):
    """Close the attendance: each participant completes by the days attended."""
    own_session(session_id)
    try:
        closed = calls.post("enrolment", f"/sessions/{session_id}/close-attendance")
    except ServiceRefused as refused:
        flash(notice(refused), "warning")
    else:
        flash(_("Attendance closed: %(done)s participants completed, %(not_done)s did not.",
                done=closed.get("participants_completed", 0),
                not_done=closed.get("participants_not_completed", 0)), "success")
    return redirect(url_for("provider.attendance", session_id=session_id), 303)


def _sheet_rows(sheet: dict) -> list[dict]:
    return [p for team in sheet.get("enrolments", []) for p in team.get("participants", [])]


def _recorded_days(participants: list[dict]) -> set[int]:
    return {d["day"] for p in participants for d in p.get("days", [])
            if d.get("present") is not None}


def _list(value) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if v]
    return [str(value)] if value else []


# ------------------------------------------------------------------ visits


@bp.get("/sessions/<session_id>/visits")
@provider_page
def visits(session_id: str):
    """Consultancy visits of each confirmed team: plan, record, cancel."""
    item = own_session(session_id)
    return _visits_page(item, {}, 200)


def _visits_page(item: dict, forms: dict[str, Form], status: int):
    teams, names = [], trainer_names()
    for team in _sheet(item["id"])["enrolments"]:
        visits_of = calls.get("enrolment", f"/enrolments/{team['enrolment_id']}/visits")
        teams.append({**team, "visits": visits_of})
        forms.setdefault(f"plan-{team['enrolment_id']}", Form())
        for visit in visits_of.get("items", []):
            if visit["status"] == "scheduled":
                forms.setdefault(f"record-{visit['id']}", Form({
                    f"record-{visit['id']}.visited_on": visit["scheduled_on"],
                    f"record-{visit['id']}.duration_minutes": "120"}))
                forms.setdefault(f"cancel-{visit['id']}", Form())
    trainers = [(t["trainer_id"], names.get(t["trainer_id"], t["trainer_id"]))
                for t in item.get("trainers") or []]
    return render_template("provider/visits.html", item=item, teams=teams, forms=forms,
                           trainer_options=trainers, trainer_names=names), status


@bp.post("/sessions/<session_id>/visits/<enrolment_id>/plan")
@provider_page
def visit_plan(session_id: str, enrolment_id: str):
    """Plan a visit to a team with one of the session's trainers."""
    item = own_session(session_id)
    _own_team(session_id, enrolment_id)
    prefix = f"plan-{enrolment_id}"
    form = Form.posted()
    body = {"scheduled_on": date_of(form, f"{prefix}.scheduled_on"),
            "trainer_id": str(form.get(f"{prefix}.trainer_id")).strip()}
    if not body["trainer_id"]:
        form.error(f"{prefix}.trainer_id", _("Choose a trainer."))
    if form.ok:
        try:
            calls.post("enrolment", f"/enrolments/{enrolment_id}/visits", body,
                       headers=idempotency_header())
        except ServiceRefused as refused:
            refuse(form, refused, {k: f"{prefix}.{k}" for k in body})
        else:
            flash(_("The visit is planned."), "success")
            return redirect(url_for("provider.visits", session_id=session_id), 303)
    return _visits_page(item, {prefix: form}, 422)


@bp.post("/sessions/<session_id>/visits/record/<visit_id>")
@provider_page
def visit_record(session_id: str, visit_id: str):
    """Record a planned visit: when, how long, topics, who took part, actions agreed."""
    item = own_session(session_id)
    _own_visit(session_id, visit_id)
    prefix = f"record-{visit_id}"
    form = Form.posted()
    members = form.get(f"{prefix}.members_present", [])
    body = {"visited_on": date_of(form, f"{prefix}.visited_on"),
            "duration_minutes": whole_number(form, f"{prefix}.duration_minutes"),
            "topics": lines_of(form.get(f"{prefix}.topics")),
            "members_present": [members] if isinstance(members, str) else list(members),
            "actions_agreed": lines_of(form.get(f"{prefix}.actions_agreed"))}
    if not body["topics"]:
        form.error(f"{prefix}.topics", _("Name at least one topic."))
    if not body["members_present"]:
        form.error(f"{prefix}.members_present", _("Choose who took part."))
    if form.ok:
        try:
            calls.post("enrolment", f"/visits/{visit_id}/record", body)
        except ServiceRefused as refused:
            if refused.status == 409:
                flash(notice(refused), "warning")
                return redirect(url_for("provider.visits", session_id=session_id), 303)
            refuse(form, refused, {k: f"{prefix}.{k}" for k in body}
                   | {f"topics.{i}": f"{prefix}.topics" for i in range(20)}
                   | {f"actions_agreed.{i}": f"{prefix}.actions_agreed" for i in range(20)})
        else:
            flash(_("The visit is recorded."), "success")
            return redirect(url_for("provider.visits", session_id=session_id), 303)
    return _visits_page(item, {prefix: form}, 422)


@bp.post("/sessions/<session_id>/visits/cancel/<visit_id>")
@provider_page
def visit_cancel(session_id: str, visit_id: str):
    """Cancel a planned visit, saying why."""
    item = own_session(session_id)
    _own_visit(session_id, visit_id)
    prefix = f"cancel-{visit_id}"
    form = Form.posted()
    reason = str(form.get(f"{prefix}.reason")).strip()
    if not reason:
        form.error(f"{prefix}.reason", _("Say why the visit is cancelled."))
        return _visits_page(item, {prefix: form}, 422)
    return act(lambda: calls.post("enrolment", f"/visits/{visit_id}/cancel", {"reason": reason}),
               _("The visit is cancelled."), url_for("provider.visits", session_id=session_id))


def _own_team(session_id: str, enrolment_id: str) -> None:
    """The enrolment is one of this (the user's own) session's teams (else 404)."""
    if not UUID.match(enrolment_id):
        abort(404)
    try:
        found = calls.get("enrolment", f"/enrolments/{enrolment_id}")
    except ServiceRefused:
        abort(404)
    if found.get("session_id") != session_id or found.get("provider_id") != org():
        abort(404)


def _own_visit(session_id: str, visit_id: str) -> None:
    """The visit belongs to this (the user's own) session (else 404)."""
    if not UUID.match(visit_id):
        abort(404)
    try:
        found = calls.get("enrolment", f"/visits/{visit_id}")
    except ServiceRefused:
        abort(404)
    if found.get("session_id") != session_id or found.get("provider_id") != org():
        abort(404)
