"""Offers: the list, the rule editor (checked as it is typed), publishing and withdrawing.

An offer's rules are written once (sponsorship never changes them, so a quote and
the audit log always mean one thing): editing a draft drafts the edited copy and
withdraws the old draft; a published offer is copied into a new draft. The editor
checks itself against sponsorship's ``POST /offer-checks``, which runs the same
schema and fund checks as drafting, and maps its field names to the form's.
"""

from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError as CSRFInvalid

from services.portal import calls
from services.portal.backend import ServiceRefused, _flatten
from services.portal.forms import Form, idempotency_header
from services.portal.i18n import idr, local_date
from services.portal.messages import problem_message
from services.portal.web.guard import role_page
from services.portal.web.public import module_name, reference
from services.portal.web.sponsor.common import (
    SIZE_CLASSES,
    UUID,
    bp,
    choices,
    own_funds,
    own_sponsor_id,
    refused_into,
    service_message,
    whole,
)

OFFER_STATUSES = ("draft", "published", "withdrawn")
# The rules (sponsorship's OfferRules) as form fields.
CHOICE_RULES = ("sme_provinces", "session_provinces", "size_classes", "modules", "providers")
WORD_RULES = ("kbli_prefixes", "smes")
NUMBER_RULES = ("share_percent", "min_women_percent", "min_managers", "min_workers")
MONEY_RULES = ("cap_per_participant",)
DATE_RULES = ("valid_from", "valid_until")
CAP_FIELDS = {"seats": "sme_cap_seats", "amount": "sme_cap_amount"}
OFFER_FIELDS = ("fund_id", "title", "description", "stackable", "ilo_supervised_only",
                *CHOICE_RULES, *WORD_RULES, *NUMBER_RULES, *MONEY_RULES, *DATE_RULES,
                *CAP_FIELDS.values())
LISTED = {"sme_provinces": _l("SMEs in %(list)s"),
          "session_provinces": _l("sessions held in %(list)s"),
          "kbli_prefixes": _l("KBLI codes starting with %(list)s"),
          "size_classes": _l("SME size: %(list)s"), "modules": _l("modules %(list)s"),
          "providers": _l("providers: %(list)s"), "smes": _l("only the SMEs %(list)s")}


@bp.get("/offers")
@role_page("sponsor_staff")
def offers():
    """The sponsor's offers in every state, newest first."""
    sponsor_id = own_sponsor_id()
    found: list[dict] = []
    for status in OFFER_STATUSES:
        found += calls.get("sponsorship", "/offers", {"sponsor_id": sponsor_id,
                                                      "status": status, "limit": 100})["items"]
    found.sort(key=lambda o: o.get("created_at") or "", reverse=True)
    names = {f["id"]: f["name"] for f in own_funds()}
    return render_template("sponsor/offers.html", offers=found, fund_names=names)


def _own_offer(offer_id: str) -> dict:
    if not UUID.match(offer_id):
        abort(404)
    found = calls.get("sponsorship", f"/offers/{offer_id}")
    if found.get("sponsor_id") != own_sponsor_id():
        abort(404)
    return found


def _posted() -> Form:
    """The posted offer form, its multiple choices always lists."""
    form = Form.posted()
    for name in CHOICE_RULES:
        form.values[name] = request.form.getlist(name)
    return form


def offer_body(form: Form) -> tuple[str, dict[str, Any]]:
    """(fund id, the draft offer for sponsorship) from the offer form, as typed."""
    rules: dict[str, Any] = {}
    for name in CHOICE_RULES:
        if chosen := choices(form.get(name)):
            rules[name] = chosen
    for name in WORD_RULES:
        if words := [w for w in re.split(r"[\s,;]+", str(form.get(name) or "")) if w]:
            rules[name] = words
    for name in (*NUMBER_RULES, *MONEY_RULES):
        if str(form.get(name)).strip():
            rules[name] = whole(form.get(name), money=name in MONEY_RULES)
    for name in DATE_RULES:
        if str(form.get(name)).strip():
            rules[name] = str(form.get(name)).strip()
    if form.get("ilo_supervised_only"):
        rules["ilo_supervised_only"] = True
    cap = {key: whole(form.get(field), money=key == "amount")
           for key, field in CAP_FIELDS.items() if str(form.get(field)).strip()}
    if cap:
        rules["sme_cap"] = cap
    body: dict[str, Any] = {"title": str(form.get("title")).strip(),
                            "stackable": bool(form.get("stackable")), "rules": rules}
    if str(form.get("description")).strip():
        body["description"] = str(form.get("description")).strip()
    return str(form.get("fund_id") or "").strip(), body


def offer_errors(errors: dict[str, list[str]], body: dict[str, Any]) -> dict[str, list[str]]:
    """Sponsorship's field errors (flattened: ``rules.kbli_prefixes.1``) by form field;
    ``_`` holds those of no field. A list item's error names the item."""
    mapped: dict[str, list[str]] = {}
    for field, messages in errors.items():
        parts = field.split(".")
        target, item = parts[0], None
        if parts[0] == "rules" and len(parts) > 1:
            target = parts[1]
            if target == "sme_cap":
                target = CAP_FIELDS.get(parts[2] if len(parts) > 2 else "", "sme_cap_seats")
            elif len(parts) > 2 and parts[2].isdigit():
                typed = body["rules"].get(target) or []
                index = int(parts[2])
                item = typed[index] if index < len(typed) else None
        if target not in OFFER_FIELDS:
            target = "_"
        for message in messages:
            text = service_message(message)
            mapped.setdefault(target, []).append(f"{item}: {text}" if item is not None else text)
    return mapped


def describe(rules: dict[str, Any], names: dict[str, dict[str, str]]) -> list[str]:
    """The rules of an offer in words, one phrase per rule."""
    said = [_("Pays %(percent)s%% of the price per participant",
              percent=rules.get("share_percent", 100))]
    if rules.get("cap_per_participant"):
        said.append(_("at most %(amount)s per participant",
                      amount=idr(rules["cap_per_participant"])))
    cap = rules.get("sme_cap") or {}
    if cap.get("seats"):
        said.append(ngettext("at most %(num)s seat per SME", "at most %(num)s seats per SME",
                             cap["seats"]))
    if cap.get("amount"):
        said.append(_("at most %(amount)s per SME", amount=idr(cap["amount"])))
    for key, wording in LISTED.items():
        if rules.get(key):
            lookup = names.get(key, {})
            said.append(str(wording) % {
                "list": ", ".join(lookup.get(str(v), str(v)) for v in rules[key])})
    if rules.get("ilo_supervised_only"):
        said.append(_("ILO-supervised sessions only"))
    if rules.get("min_women_percent"):
        said.append(_("teams at least %(percent)s%% women", percent=rules["min_women_percent"]))
    if rules.get("min_managers"):
        said.append(ngettext("at least %(num)s manager", "at least %(num)s managers",
                             rules["min_managers"]))
    if rules.get("min_workers"):
        said.append(ngettext("at least %(num)s worker", "at least %(num)s workers",
                             rules["min_workers"]))
    if rules.get("valid_from"):
        said.append(_("from %(day)s", day=local_date(rules["valid_from"])))
    if rules.get("valid_until"):
        said.append(_("until %(day)s", day=local_date(rules["valid_until"])))
    return said


def _names(providers: list[dict]) -> dict[str, dict[str, str]]:
    """Codes and ids of the rules as words: provinces, size classes, modules, providers."""
    ref = reference()
    provinces = {p["bps_code"]: p["name"] for p in ref["provinces"]}
    return {"sme_provinces": provinces, "session_provinces": provinces,
            "size_classes": {k: str(v) for k, v in SIZE_CLASSES.items()},
            "modules": {m["code"]: f"{m['code']} · {module_name(m)}" for m in ref["modules"]},
            "providers": {p["id"]: p["legal_name"] for p in providers}}


def _providers() -> list[dict]:
    return sorted(calls.get("catalog", "/providers")["items"], key=lambda p: p["legal_name"])


def _editor_choices() -> dict:
    ref = reference()
    return {"fund_options": [(f["id"], f["name"]) for f in own_funds() if f["status"] == "open"],
            "province_options": ref["province_options"],
            "module_options": ref["module_options"],
            "size_options": [(k, str(v)) for k, v in SIZE_CLASSES.items()],
            "provider_options": [(p["id"], p["legal_name"]) for p in _providers()]}


def _form_of(offer: dict) -> Form:
    """The offer form filled in from an offer (to edit a copy of it)."""
    rules = offer.get("rules") or {}
    values: dict[str, Any] = {
        "fund_id": offer.get("fund_id", ""), "title": offer.get("title", ""),
        "description": offer.get("description") or "",
        "stackable": "true" if offer.get("stackable") else "",
        "ilo_supervised_only": "true" if rules.get("ilo_supervised_only") else "",
        "kbli_prefixes": ", ".join(rules.get("kbli_prefixes") or []),
        "smes": "\n".join(rules.get("smes") or [])}
    for name in CHOICE_RULES:
        values[name] = [str(v) for v in rules.get(name) or []]
    for name in (*NUMBER_RULES, *MONEY_RULES, *DATE_RULES):
        values[name] = str(rules.get(name) or "")
    for key, field in CAP_FIELDS.items():
        values[field] = str((rules.get("sme_cap") or {}).get(key) or "")
    return Form(values)


@bp.route("/offers/new", methods=["GET", "POST"])
@role_page("sponsor_staff")
def new_offer():
    """Draft an offer (``?copy=<offer>``: from a copy of one of the sponsor's offers)."""
    return _editor(None)


@bp.route("/offers/<offer_id>/edit", methods=["GET", "POST"])
@role_page("sponsor_staff")
def edit_offer(offer_id: str):
    """Edit a draft: the edited copy is drafted and the old draft withdrawn."""
    original = _own_offer(offer_id)
    if original["status"] != "draft":
        return redirect(url_for("sponsor.new_offer", copy=offer_id), 303)
    return _editor(original)


def _editor(original: dict | None):
    own_sponsor_id()
    form = Form({"fund_id": request.args.get("fund", ""), "share_percent": "100"})
    copied = request.args.get("copy", "")
    if original is not None:
        form = _form_of(original)
    elif UUID.match(copied):
        form = _form_of(_own_offer(copied))
    if request.method == "POST":
        form = _posted()
        fund_id, body = offer_body(form)
        if not UUID.match(fund_id):
            form.error("fund_id", _("Choose one of your funds."))
        else:
            try:
                drafted = calls.post("sponsorship", f"/funds/{fund_id}/offers", body,
                                     headers=idempotency_header())
            except ServiceRefused as refused:
                errors = offer_errors(refused.errors, body)
                general = errors.pop("_", [])
                form.errors.update(errors)
                form.message = " ".join([problem_message(refused), *general])
            else:
                if original is not None:
                    calls.post("sponsorship", f"/offers/{original['id']}/withdraw",
                               {"reason": _("Replaced by an edited draft.")})
                flash(_("The offer is saved as a draft. Publish it when it is ready."),
                      "success")
                return redirect(url_for("sponsor.offer", offer_id=drafted["id"]), 303)
    choices_ = _editor_choices()
    if not form.get("fund_id") and len(choices_["fund_options"]) == 1:
        form.values["fund_id"] = choices_["fund_options"][0][0]
    return render_template("sponsor/offer_form.html", form=form, original=original,
                           **choices_), (200 if form.ok else 422)


@bp.post("/offers/validate")
@role_page("sponsor_staff")
def validate_offer():
    """The offer form checked as sponsorship checks it (JSON, for the live editor).

    Only a script sends it: the CSRF token must come in the ``X-CSRFToken`` header.
    """
    try:
        validate_csrf(request.headers.get("X-CSRFToken", ""))
    except CSRFInvalid:
        return jsonify(errors={}, summary=_("This form has expired. Please reload the page "
                                            "and try again.")), 400
    fund_id, body = offer_body(_posted())
    try:
        answer = calls.post("sponsorship", "/offer-checks",
                            {**body, "fund_id": fund_id} if fund_id else body)
    except ServiceRefused as refused:
        return jsonify(errors={}, summary=problem_message(refused))
    errors = offer_errors(_flatten(answer.get("errors") or {}), body)
    if not fund_id:
        errors.setdefault("fund_id", []).append(_("Choose one of your funds."))
    general = errors.pop("_", [])
    if errors or general:
        summary = " ".join([ngettext("%(num)s field needs attention.",
                                     "%(num)s fields need attention.", len(errors))
                            if errors else "", *general]).strip()
    else:
        summary = _("The offer can be drafted: %(rules)s.",
                    rules="; ".join(describe(body["rules"], _names([]))))
    return jsonify(errors=errors, summary=summary)


@bp.get("/offers/<offer_id>")
@role_page("sponsor_staff")
def offer(offer_id: str):
    """An offer: its rules in words, publishing and withdrawing."""
    return _offer_page(_own_offer(offer_id), Form())


def _offer_page(found: dict, form: Form, status: int = 200):
    funds = {f["id"]: f for f in own_funds()}
    rules = found.get("rules") or {}
    said = describe(rules, _names(_providers() if rules.get("providers") else []))
    return render_template("sponsor/offer.html", offer=found, fund=funds.get(found["fund_id"]),
                           said=said, form=form), status


@bp.post("/offers/<offer_id>/publish")
@role_page("sponsor_staff")
def publish_offer(offer_id: str):
    """Publish a draft: it matches at checkout from now on."""
    _own_offer(offer_id)
    try:
        calls.post("sponsorship", f"/offers/{offer_id}/publish")
    except ServiceRefused as refused:
        details = [service_message(m) for messages in refused.errors.values() for m in messages]
        flash(" ".join([problem_message(refused), *details]), "error")
    else:
        flash(_("The offer is published: it applies at checkout from now on."), "success")
    return redirect(url_for("sponsor.offer", offer_id=offer_id), 303)


@bp.post("/offers/<offer_id>/withdraw")
@role_page("sponsor_staff")
def withdraw_offer(offer_id: str):
    """Withdraw an offer, with a reason; reservations already made stand."""
    found = _own_offer(offer_id)
    form = Form.posted()
    try:
        calls.post("sponsorship", f"/offers/{offer_id}/withdraw",
                   {"reason": str(form.get("reason")).strip()})
    except ServiceRefused as refused:
        refused_into(form, refused, {})
        return _offer_page(found, form, 409 if refused.status == 409 else 422)
    flash(_("The offer is withdrawn. Reservations already made stand."), "success")
    return redirect(url_for("sponsor.offer", offer_id=offer_id), 303)
