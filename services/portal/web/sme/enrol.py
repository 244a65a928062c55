"""Enrolling a team: the session, the team table, what sponsors would pay, the seat hold.

The team's fields are named as enrolment names them (``participants.1.gender``), so a
refusal lands next to the field it is about. Blank rows are left out; the row a
refused participant came from is remembered, so its errors land on that row.
"""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.portal import calls
from services.portal.backend import ServiceRefused, ServiceUnavailable
from services.portal.forms import Form, idempotency_header
from services.portal.web.public import UUID, module_name
from services.portal.web.sme import bp, labels, sme_id, sme_page

# Enrolment's default team rules (SCORE_ENROLMENT_TEAM_*): the service has the last word.
TEAM_MIN, TEAM_MAX, MIN_MANAGERS, MIN_WORKERS = 2, 6, 1, 1
PERSON = ("full_name", "gender", "role", "position", "email", "phone")
REQUIRED = ("full_name", "gender", "role", "position")
MAX_ROWS = 20


def _rows(form: Form) -> int:
    """How many team rows the form had (at least the team minimum)."""
    seen = [int(key.split(".")[1]) for key in form.values
            if key.startswith("participants.") and key.split(".")[1].isdigit()]
    return min(max([TEAM_MIN - 1, *seen]) + 1, MAX_ROWS)


def team_of(form: Form) -> tuple[list[dict[str, str | None]], list[int]]:
    """The filled-in rows as participants, and the row each came from."""
    people, rows = [], []
    for row in range(_rows(form)):
        person: dict[str, str | None] = {
            f: str(form.get(f"participants.{row}.{f}")).strip() for f in PERSON}
        if not any(person.values()):
            continue
        person["email"] = person["email"] or None
        person["phone"] = person["phone"] or None
        people.append(person)
        rows.append(row)
    return people, rows


def largest_team(session: dict) -> int:
    """The most people one enterprise may send to this session."""
    course = session.get("course") or {}
    return min(TEAM_MAX, course.get("max_participants_per_enterprise") or TEAM_MAX)


def check_team(form: Form, session: dict) -> list[dict]:
    """The team, with every rule checked here marked on the form."""
    people, rows = team_of(form)
    for person, row in zip(people, rows, strict=True):
        for name in REQUIRED:
            if not person[name]:
                form.error(f"participants.{row}.{name}", _("This field is required."))
        if person["full_name"] and len(person["full_name"]) < 2:
            form.error(f"participants.{row}.full_name", _("Enter at least 2 characters."))
    largest = largest_team(session)
    if not TEAM_MIN <= len(people) <= largest:
        form.error("participants", _("A team has %(low)s to %(high)s participants; this one "
                                     "has %(n)s.", low=TEAM_MIN, high=largest, n=len(people)))
    if sum(p["role"] == "manager" for p in people) < MIN_MANAGERS:
        form.error("participants", _("At least one manager takes part."))
    if sum(p["role"] == "worker" for p in people) < MIN_WORKERS:
        form.error("participants", _("At least one worker takes part."))
    return people


def team_counts(people: list[dict]) -> dict[str, int]:
    """The team as sponsorship's quote counts it."""
    return {"participants": len(people),
            "managers": sum(p["role"] == "manager" for p in people),
            "workers": sum(p["role"] == "worker" for p in people),
            "women": sum(p["gender"] == "female" for p in people),
            "men": sum(p["gender"] == "male" for p in people)}


def sponsor_quote(session_id: str, counts: dict[str, int]) -> tuple[dict | None, str | None]:
    """What sponsors would pay for this team (a preview: nothing is reserved), or why not."""
    try:
        quote = calls.post("sponsorship", "/quotes", {"sme_id": sme_id(),
                                                      "session_id": session_id,
                                                      "team": counts})
    except ServiceRefused as refused:
        if refused.status == 404:
            return None, _("Sponsor offers cannot be shown for this session yet. They are "
                           "checked again when you choose how to pay.")
        return None, _("Sponsor offers cannot be shown for this team.")
    except ServiceUnavailable:
        return None, _("Sponsor offers cannot be shown right now. They are checked again when "
                       "you choose how to pay.")
    for offer in quote.get("declined") or []:
        offer["reasons_text"] = [labels.reason(r.get("code", "")) for r in offer["reasons"]]
    return quote, None


@bp.route("/enrol/<session_id>", methods=["GET", "POST"])
@sme_page
def enrol(session_id: str):
    """A team for a session: check sponsor offers, then hold the seats (or join the waitlist)."""
    if not UUID.match(session_id):
        return redirect(url_for("public.search"), 303)
    session = calls.get("catalog", f"/sessions/{session_id}")
    form, quote, quote_note, full, status = Form(), None, None, False, 200
    rows = TEAM_MIN
    if request.method == "POST":
        form = Form.posted()
        action = form.get("action")
        rows = _rows(form)
        if action == "add_row":
            rows = min(rows + 1, MAX_ROWS)
        else:
            people = check_team(form, session)
            if not form.ok:
                form.message, status = _("The team does not meet the rules yet."), 422
            elif action == "quote":
                quote, quote_note = sponsor_quote(session_id, team_counts(people))
            else:
                done, full = _hold_seats(form, session_id, people, waitlist=action == "waitlist")
                if done is not None:
                    return done
                status = 409 if full or not form.errors else 422
    return render_template("sme/enrol.html", item=session, form=form, rows=rows, quote=quote,
                           quote_note=quote_note, full=full or bool(session.get("is_full")),
                           largest=largest_team(session), team_min=TEAM_MIN,
                           module_name=module_name, labels=labels, blank=Form()), status


def _hold_seats(form: Form, session_id: str, people: list[dict], waitlist: bool):
    """Enrol the team: (a redirect, False) when it worked; (None, whether the session is
    full) with the form marked when refused."""
    rows = team_of(form)[1]
    body: dict[str, Any] = {"participants": people}
    if waitlist:
        body["join_waitlist_if_full"] = True
    try:
        reply = calls.call("POST", "enrolment", f"/sessions/{session_id}/enrolments", json=body,
                           headers=idempotency_header())
    except ServiceRefused as refused:
        names = {f"participants.{sent}.{name}": f"participants.{row}.{name}"
                 for sent, row in enumerate(rows) for name in PERSON}
        form.refused(refused, names)
        about_session = form.errors.pop("session_id", [])
        if about_session:
            said = " ".join(refused.errors.get("session_id", []))
            form.message = (_("Your enterprise already has an open enrolment or a waiting-list "
                              "place in this session.")
                            if "enrolment in this session" in said or "waitlist" in said
                            else _("This session no longer takes enrolments."))
        if refused.slug != "session-full":
            return None, False
        free = refused.problem.get("seats_free")
        form.message = (_("The session has only %(n)s free seats: your team does not fit. You "
                          "can join its waiting list instead.", n=free)
                        if isinstance(free, int) else
                        _("The session is full: your team does not fit. You can join its "
                          "waiting list instead."))
        form.errors.pop("participants", None)
        return None, True
    if reply.status == 202:
        position = (reply.body or {}).get("position")
        flash(_("Your team is on the waiting list (number %(n)s). When seats are freed they are "
                "offered first come, first served; we will email you.", n=position or "–"),
              "success")
        return redirect(url_for("sme.enrolments"), 303), False
    enrolment = reply.body or {}
    flash(_("Your team is enrolled. Choose how to pay while its seats are held."), "success")
    return redirect(url_for("sme.pay", enrolment_id=enrolment["id"]), 303), False


@bp.post("/enrol/<session_id>/check")
@sme_page
def check(session_id: str):
    """Live validation of the team form (portal.js): the errors per field, nothing sent."""
    if not UUID.match(session_id):
        return jsonify({"errors": {}, "summary": ""})
    session = calls.get("catalog", f"/sessions/{session_id}")
    form = Form.posted()
    check_team(form, session)
    summary = " ".join(form.errors.pop("participants", []))
    return jsonify({"errors": form.errors, "summary": summary})
