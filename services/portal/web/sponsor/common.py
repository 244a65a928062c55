"""What the sponsor pages share: the blueprint, labels, amounts, the user's own sponsor."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from services.portal import calls
from services.portal.backend import ServiceRefused
from services.portal.forms import Form
from services.portal.i18n import idr, number
from services.portal.labels import status_label
from services.portal.messages import field_message, problem_message
from services.portal.web.guard import user

bp = Blueprint("sponsor", __name__, url_prefix="/sponsor")

UUID = re.compile(r"^[0-9a-fA-F-]{36}$")
SPONSOR_KINDS = {"ministry": _l("Ministry"), "donor": _l("Donor"),
                 "lead_buyer": _l("Lead buyer (funds its suppliers)"),
                 "association": _l("Business association"), "other": _l("Other")}
UNITS = {"IDR": _l("Rupiah"), "seats": _l("Seats (participants)")}
SIZE_CLASSES = {"micro": _l("Micro"), "small": _l("Small"), "medium": _l("Medium"),
                "large": _l("Large")}
TRANSACTIONS = {"deposit": _l("Deposit"), "reservation": _l("Reserved at checkout"),
                "commit": _l("Committed"), "release": _l("Released"),
                "reversal": _l("Reversed"), "adjustment": _l("Adjustment")}
# Sponsorship's own words, for its refusals (the rest: services.portal.messages).
SERVICE_WORDS = {
    "give exactly one of seats or amount": _l("Give a cap in seats or in rupiah, not both."),
    "must not be before valid_from": _l("Must not be before the first day."),
    "no such fund": _l("Choose one of your funds."),
    "fund is closed": _l("This fund is closed. Choose an open fund."),
    "an adjustment changes something": _l("Enter an amount other than 0."),
    "must not be before from": _l("Must not be before the first day."),
}


@bp.context_processor
def _helpers() -> dict:
    return {"in_unit": in_unit, "kind_label": lambda k: str(SPONSOR_KINDS.get(k, k)),
            "unit_label": lambda u: str(UNITS.get(u, u)), "fund_status": fund_status,
            "transaction_label": lambda k: str(TRANSACTIONS.get(k, k))}


def in_unit(amount: Any, unit: str) -> str:
    """An amount in a fund's unit: rupiah, or a number of seats."""
    if amount is None:
        return ""
    if unit == "IDR":
        return idr(amount)
    return ngettext("%(num)s seat", "%(num)s seats", int(amount))


def fund_status(code: str) -> str:
    """A fund's status in words."""
    return _("Open") if code == "open" else status_label(code)


def service_message(message: str) -> str:
    """One of sponsorship's field messages in the page's language."""
    known = SERVICE_WORDS.get(message)
    if known is not None:
        return str(known)
    left = re.fullmatch(r"at most (-?\d+) available", message)
    if left:
        return _("At most %(amount)s is available.", amount=number(int(left.group(1))))
    return field_message(message)


def whole(typed: Any, money: bool = False) -> Any:
    """A typed whole number as an int (rupiah may be grouped: 2.500.000); anything else as
    typed, for sponsorship to refuse in its own words."""
    text = str(typed).strip()
    if money:
        text = re.sub(r"^(rp|idr)\s*", "", text, flags=re.IGNORECASE)
        if re.fullmatch(r"[+-]?\d{1,3}([.,\s]\d{3})+", text):
            text = re.sub(r"[.,\s]", "", text)
    return int(text) if re.fullmatch(r"[+-]?\d{1,15}", text) else text


def choices(value: Any) -> list[str]:
    """A form's multiple choice as a list (none, one or several chosen)."""
    if value in (None, ""):
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def own_sponsor_id() -> str:
    """The sponsor the user acts for (a user without one: not found)."""
    org = user().org
    if org is None:
        abort(404)
    return org


def page_of(found: dict | None) -> dict:
    """A service's page of items, or an empty one."""
    return found or {"items": [], "next_cursor": None}


def refused_into(form: Form, refused: ServiceRefused, names: dict[str, str]) -> Form:
    """A refusal on ``form``: each field error (``names``: service field → form field)
    next to its field in the page's language, the problem on top."""
    for field, messages in refused.errors.items():
        for message in messages:
            form.error(names.get(field, field), service_message(message))
    # A conflict naming its fields is about what was typed (more than is available).
    form.message = _("This was not accepted.") if refused.status == 409 and refused.errors \
        else problem_message(refused)
    return form


def own_funds() -> list[dict]:
    """The user's sponsor's funds (the first hundred), newest first."""
    return calls.get("sponsorship", f"/sponsors/{own_sponsor_id()}/funds",
                     {"limit": 100})["items"]
