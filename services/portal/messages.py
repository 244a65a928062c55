"""The services' refusals as messages a person reads, in their language.

Services answer in English problem documents with marshmallow's field messages.
Known messages and problem types become catalogue strings here; a message this
table does not know is shown as a translated "not accepted" with the service's
own words after it, so nothing is ever lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.portal.backend import ServiceRefused, ServiceUnavailable

# marshmallow's messages and the services' common ones, matched whole.
_EXACT = {
    "Missing data for required field.": _l("This field is required."),
    "Field may not be null.": _l("This field is required."),
    "Not a valid email address.": _l("Enter a valid email address."),
    "Not a valid integer.": _l("Enter a whole number."),
    "Not a valid number.": _l("Enter a number."),
    "Not a valid date.": _l("Enter a valid date."),
    "Not a valid datetime.": _l("Enter a valid date and time."),
    "Not a valid boolean.": _l("Choose yes or no."),
    "Not a valid string.": _l("Enter text."),
    "Not a valid list.": _l("Choose one or more values."),
    "Unknown field.": _l("This field is not expected here."),
    "Shorter than minimum length 1.": _l("This field is required."),
    "String does not match expected pattern.": _l("The format is not valid."),
}

_PATTERNS: list[tuple[re.Pattern, Callable[..., str]]] = [
    (re.compile(r"Length must be between (\d+) and (\d+)\."),
     lambda lo, hi: _("Enter between %(lo)s and %(hi)s characters.", lo=lo, hi=hi)),
    (re.compile(r"Longer than maximum length (\d+)\."),
     lambda hi: _("Enter at most %(hi)s characters.", hi=hi)),
    (re.compile(r"Shorter than minimum length (\d+)\."),
     lambda lo: _("Enter at least %(lo)s characters.", lo=lo)),
    (re.compile(r"Must be greater than or equal to (-?\d+) and less than or equal to (-?\d+)\."),
     lambda lo, hi: _("Enter a number from %(lo)s to %(hi)s.", lo=lo, hi=hi)),
    (re.compile(r"Must be greater than or equal to (-?\d+)\."),
     lambda lo: _("Enter %(lo)s or more.", lo=lo)),
    (re.compile(r"Must be less than or equal to (-?\d+)\."),
     lambda hi: _("Enter %(hi)s or less.", hi=hi)),
    (re.compile(r"Must be one of: .*"), lambda: _("Choose one of the options.")),
]

# Problem types (the last segment of the type URI) → what the person is told.
_PROBLEMS = {
    "not-found": _l("We could not find that. It may have been removed."),
    "forbidden": _l("Your account may not do this."),
    "unauthorized": _l("Please sign in again."),
    "conflict": _l("This could not be done because something changed meanwhile."),
    "invalid-transition": _l("This is not possible in its current state."),
    "validation-failed": _l("Please check the highlighted fields."),
    "unprocessable-entity": _l("Please check the highlighted fields."),
    "too-many-requests": _l("Too many attempts. Please wait a moment and try again."),
}


def field_message(message: str) -> str:
    """One field message from a service, in the page's language."""
    known = _EXACT.get(message)
    if known is not None:
        return str(known)
    for pattern, render in _PATTERNS:
        match = pattern.fullmatch(message)
        if match:
            return render(*match.groups())
    return _("Not accepted: %(reason)s", reason=message)


def field_errors(refused: ServiceRefused, names: dict[str, str] | None = None
                 ) -> dict[str, list[str]]:
    """``{form field: [messages]}``; ``names`` maps the service's field names to the form's."""
    names = names or {}
    errors: dict[str, list[str]] = {}
    for field, messages in refused.errors.items():
        target = names.get(field, field)
        errors.setdefault(target, []).extend(field_message(m) for m in messages)
    return errors


def problem_message(refused: ServiceRefused) -> str:
    """The sentence shown above a form the service refused."""
    general = _PROBLEMS.get(refused.slug)
    if general is None:
        general = _l("The request was not accepted.")
    if refused.errors or not refused.detail or refused.detail == refused.title:
        return str(general)
    return _("%(general)s (%(detail)s)", general=general, detail=refused.detail)


def unavailable_message(error: ServiceUnavailable) -> str:
    """What a person is told when a service cannot answer."""
    return _("This part of the marketplace is not available right now. Please try again in a "
             "minute.")
