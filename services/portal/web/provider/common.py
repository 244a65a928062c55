"""What the provider's pages share: the guard, refusals in words, typed numbers and dates."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.portal import calls
from services.portal.backend import BackendError, ServiceRefused
from services.portal.forms import Form
from services.portal.labels import status_label
from services.portal.messages import field_message, problem_message
from services.portal.web.guard import role_page, user

UUID = re.compile(r"^[0-9a-fA-F-]{36}$")

# The services' own words (catalog, enrolment) for rules of the provider's work, in the
# page's language; messages not listed here go through the shared table.
SERVICE_MESSAGES = {
    "must be on or after start_date": _l("Must be on or after the start date."),
    "must be on or before start_date": _l("Must be on or before the start date."),
    "a session that starts in the past cannot be published":
        _l("A session that starts in the past cannot be published."),
    "the enrolment deadline has passed": _l("The enrolment deadline has passed."),
    "a trainer is listed twice": _l("A trainer is listed twice."),
    "at most one lead trainer": _l("Choose at most one lead trainer."),
    "a published session needs a lead trainer": _l("A published session needs a lead trainer."),
    "not a registered trainer": _l("This is not a registered trainer."),
    "no such course of this provider": _l("Choose one of your courses."),
    "the course is archived": _l("This course is archived: it takes no new sessions."),
    "must be at least 1": _l("Enter 1 or more."),
    "already registered": _l("A provider with this NPWP is already registered."),
    "unknown province code": _l("Choose a province from the list."),
    "not a trainer of this session": _l("Choose one of the session's trainers."),
    "a visit is recorded once it has taken place":
        _l("A visit is recorded once it has taken place."),
    "a visit is scheduled for today or later": _l("Plan a visit for today or later."),
    "cannot be in the future": _l("This date cannot be in the future."),
    "not a phone number": _l("Enter a phone number (digits, spaces, +, -, brackets)."),
    "this provider already offers a course with this title for the module":
        _l("You already offer a course with this title for this module."),
}
# The services' refusals of a whole action (problem details), in words.
ACTION_MESSAGES = {
    "only approved providers publish": _l(
        "Only approved providers can publish. A platform admin has still to approve your "
        "provider."),
    "the course is not published": _l("Publish the course first, then its sessions."),
    "the session has not reached its start date": _l(
        "A session can be started on its start date, not before."),
    "the session has not reached its end date": _l(
        "A session can be completed on its end date, not before."),
    "the session was cancelled": _l("The session was cancelled."),
}
INVALID_TRANSITION = _l("This is not possible in its current state; the page shows where it "
                        "stands now.")


def provider_page(view: Callable) -> Callable:
    """A ``provider_staff`` page; staff not yet acting for a provider register one first."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any):
        if user().org is None:
            return redirect(url_for("provider.register"))
        return view(*args, **kwargs)

    return role_page("provider_staff")(guarded)


def org() -> str:
    """The provider the signed-in user acts for."""
    found = user().org
    assert found is not None  # provider_page sent them to register
    return found


def message(text: str) -> str:
    """A service's field message in the page's language."""
    known = SERVICE_MESSAGES.get(text)
    if known is not None:
        return str(known)
    if re.fullmatch(r"\d+ seats are already taken", text):
        return _("%(n)s seats are already taken: the capacity cannot be lower.",
                 n=text.split()[0])
    certified = re.fullmatch(r"the lead trainer must be certified for (M\d) \(status: (.+)\)", text)
    if certified:
        module, status = certified.groups()
        if status == "not registered for the module":
            return _("The lead trainer must be certified for %(module)s, and is not registered "
                     "for it.", module=module)
        return _("The lead trainer must be certified for %(module)s (now: %(status)s).",
                 module=module, status=status_label(status))
    if text.startswith("less than the ") and text.endswith(" due"):
        return _("Less than the amount due arrived (%(due)s).", due=text[len("less than the "):-4])
    return field_message(text)


def refuse(form: Form, refused: ServiceRefused, names: Mapping[str, str] | None = None) -> Form:
    """``form.refused`` with the provider's rules in words; the values typed stay."""
    names = dict(names or {})
    form.message = notice(refused, with_fields=False)
    for field, texts in refused.errors.items():
        field = re.sub(r"\[(\d+)\]", r".\1", field)  # catalog's trainers[0].trainer_id
        target = names.get(field, field)
        form.errors.setdefault(target, []).extend(message(t) for t in texts)
    return form


def notice(refused: ServiceRefused, with_fields: bool = True) -> str:
    """One sentence for a refused action (a button, not a form)."""
    if refused.slug == "invalid-transition":
        return str(INVALID_TRANSITION)
    known = ACTION_MESSAGES.get(refused.detail)
    text = str(known) if known is not None else problem_message(refused)
    if with_fields and refused.errors and refused.status == 422:
        details = [message(t) for texts in refused.errors.values() for t in texts]
        text = " ".join([text, *details])
    return text


def act(call: Callable[[], Any], done: str, back: str):
    """Run a lifecycle action; a refusal becomes a notice on the page it came from (PRG)."""
    try:
        call()
    except ServiceRefused as refused:
        flash(notice(refused), "warning" if refused.status == 409 else "error")
    else:
        flash(done, "success")
    return redirect(back, 303)


def own_session(session_id: str) -> dict:
    """The catalog session ``session_id`` of the user's provider (404 for anyone else's)."""
    if not UUID.match(session_id):
        abort(404)
    try:
        found = calls.get("catalog", f"/sessions/{session_id}")
    except ServiceRefused as refused:
        if refused.status in (403, 404):
            abort(404)
        raise
    if (found.get("provider") or {}).get("id") != org():
        abort(404)
    return found


def trainer_names() -> dict[str, str]:
    """The names of the trainers who deliver for the user's provider (certification)."""
    try:
        found = calls.get("certification", "/trainers", {"provider_id": org(), "limit": 100})
    except BackendError:
        return {}  # ids stand in for names
    return {t["id"]: t.get("full_name") or t["id"] for t in found.get("items", [])}


def whole_number(form: Form, name: str, *, required: bool = True) -> int | None:
    """The whole number typed into ``name`` (``Rp1.500.000`` and ``1,500,000`` too)."""
    raw = str(form.get(name)).strip()
    if not raw:
        if required:
            form.error(name, _("This field is required."))
        return None
    digits = re.sub(r"^(rp|idr)\s*", "", raw, flags=re.I).replace(".", "").replace(",", "")
    digits = digits.replace(" ", "")
    if not re.fullmatch(r"-?\d{1,15}", digits):
        form.error(name, _("Enter a whole number."))
        return None
    return int(digits)


def date_of(form: Form, name: str, *, required: bool = True) -> str | None:
    """The date typed into ``name`` (ISO, as a date input sends it)."""
    raw = str(form.get(name)).strip()
    if not raw:
        if required:
            form.error(name, _("This field is required."))
        return None
    try:
        return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        form.error(name, _("Enter a valid date."))
        return None


def lines_of(value: Any) -> list[str]:
    """The non-empty lines of a textarea."""
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def status_badge(status: str | None) -> str:
    """The badge style of a status."""
    if status in ("published", "approved", "confirmed", "paid", "completed", "recorded",
                  "in_progress"):
        return "ok"
    if status in ("cancelled", "suspended", "rejected", "failed", "expired", "archived"):
        return "bad"
    return "warn"
