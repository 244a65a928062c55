"""Emails from templates: a subject, a plain-text and an HTML body per template and language.

``templates/<language>/<name>.txt`` holds the subject and the text body as two
blocks; ``templates/<language>/<name>.html`` the HTML body (autoescaped), in
``layout.html``. Languages: ``id`` (the default) and ``en``; any other falls
back to ``id``. A context value the template needs but the notification lacks
is an error (``StrictUndefined``), never an empty gap in a sent email.

The context each template reads (queued by :func:`service.notifications.queue`):

- ``hold_confirmation``: sme, session, participants, amount, expires_at
- ``waitlist_offer``: sme, session, participants, expires_at
- ``invoice``: sme, session, invoice_number, payment_reference, amount, due_date
- ``payment_received``: sme, session, amount
- ``refund_issued``: sme, session, refund_amount (else amount), refund_reason (optional)

``session`` is the session's title; a context may give ``session_title_id`` and
``session_title_en`` instead, and the reader's language picks one. Amounts are
whole rupiah (``| idr``), ``expires_at`` an ISO 8601 timestamp (``| moment``,
shown in WIB), ``due_date`` an ISO date (``| day``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from typing import Any

from babel.dates import format_date, format_time
from jinja2 import (
    Environment,
    PackageLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from shared.clock import WIB
from shared.money import LOCALES, format_idr

LANGUAGES = ("id", "en")


@dataclasses.dataclass(frozen=True)
class RenderedEmail:
    """What a notification says: subject, plain text and HTML."""

    subject: str
    text: str
    html: str


def render(template: str, language: str, context: dict[str, Any]) -> RenderedEmail:
    """Render ``template`` in ``language`` (``id`` when not offered) with ``context``."""
    language = language if language in LANGUAGES else LANGUAGES[0]
    env = _environment()
    values = _values(context, language)
    source = env.get_template(f"{language}/{template}.txt")
    blocks = source.new_context(values)
    subject = " ".join("".join(source.blocks["subject"](blocks)).split())
    text = "".join(source.blocks["body"](blocks)).strip() + "\n"
    html = env.get_template(f"{language}/{template}.html").render(values, subject=subject)
    return RenderedEmail(subject, text, html)


def _values(context: dict[str, Any], language: str) -> dict[str, Any]:
    """The template's variables: the context, the language, and what it lets us infer."""
    values = {"refund_reason": None, **context, "language": language}
    title = context.get(f"session_title_{language}") or context.get("session_title_id")
    if "session" not in values and title:
        values["session"] = title
    if "refund_amount" not in values and "amount" in values:
        values["refund_amount"] = values["amount"]
    return values


@functools.cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("services.enrolment.mail", "templates"),
                      autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(idr=_idr, moment=_moment, day=_day)
    return env


@pass_context
def _idr(context: Context, amount: int) -> str:
    return format_idr(int(amount), context["language"])


@pass_context
def _moment(context: Context, iso: str) -> str:
    """An ISO 8601 timestamp as the reader's date and time in Jakarta."""
    when = dt.datetime.fromisoformat(iso).astimezone(WIB)
    locale = LOCALES[context["language"]]
    return (f"{format_date(when.date(), 'long', locale=locale)} "
            f"{format_time(when.time(), 'short', locale=locale)} WIB")


@pass_context
def _day(context: Context, iso: str) -> str:
    return format_date(dt.date.fromisoformat(iso), "long", locale=LOCALES[context["language"]])
