"""Bahasa Indonesia (the default) and English, through Flask-Babel's catalogues.

Templates and code mark every user-facing string (``_()``, ``{% trans %}``);
``translations/<locale>/LC_MESSAGES/messages.po`` hold them (English is the source
language, so its catalogue is empty) and the compiled ``.mo`` beside them is what
runs – ``make i18n`` extracts, updates and compiles, and a test fails when a string
is untranslated or a ``.mo`` is stale. The language is the one the user chose
(``/language/<code>``, kept in a long-lived cookie, also for signed-out visitors),
else Indonesian. Money and dates are formatted for the language by Babel.
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from flask import Flask, g, request
from flask_babel import Babel, get_locale, get_translations

from services.portal.catalogues import directories
from shared.money import format_idr

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT_LANGUAGE = "id"
LANGUAGE_COOKIE = "score_lang"
JAKARTA = "Asia/Jakarta"
_WIB = ZoneInfo(JAKARTA)


def select_language() -> str:
    """The user's choice (cookie), else Indonesian."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def language() -> str:
    """The language of this request's page."""
    found = g.get("_portal_language")
    if found is None:
        found = g._portal_language = str(get_locale() or DEFAULT_LANGUAGE)
    return found


def init_i18n(app: Flask) -> None:
    """Babel with the portal's catalogues and the formatting filters templates use."""
    app.config.update(BABEL_DEFAULT_LOCALE=DEFAULT_LANGUAGE,
                      BABEL_DEFAULT_TIMEZONE=JAKARTA,
                      BABEL_TRANSLATION_DIRECTORIES=";".join(directories()))
    Babel(app, locale_selector=select_language)
    app.jinja_env.add_extension("jinja2.ext.i18n")
    # Flask-Babel's template gettext looks the catalogue up again for every string (a
    # search page has ~100); one lookup per request does.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.filters.update(idr=idr, date=local_date, datetime=local_datetime,
                                 number=number, percent=percent)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, language=language)


def _translations():
    found = g.get("_portal_translations")
    if found is None:
        found = g._portal_translations = get_translations()
    return found


def idr(amount) -> str:
    """``Rp1.500.000`` (Indonesian) or ``IDR1,500,000`` (English); blank for None."""
    return "" if amount is None else _idr(int(amount), language())


# Babel's formatting is slow next to a lookup, and a page repeats a few prices and dates.
@functools.lru_cache(maxsize=4096)
def _idr(amount: int, language: str) -> str:
    return format_idr(amount, language)


@functools.lru_cache(maxsize=4096)
def _date(value: dt.date, form: str, language: str) -> str:
    return format_date(value, form, locale=language)


def _parse(value):
    if isinstance(value, str):
        try:
            if "T" in value:
                return dt.datetime.fromisoformat(value)
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return value


def local_date(value, form: str = "medium") -> str:
    """A date (or a timestamp's date in Jakarta) in the page's language: ``5 Jan 2027``."""
    value = _parse(value)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(_WIB).date()
    return _date(value, form, language())


def local_datetime(value, form: str = "medium") -> str:
    """A timestamp in Jakarta time, in the page's language."""
    value = _parse(value)
    if value is None:
        return ""
    if not isinstance(value, dt.datetime):
        return local_date(value, form)
    return format_datetime(value, form, tzinfo=_WIB, locale=language())


def number(value) -> str:
    """A number with the language's grouping (``1.234`` / ``1,234``)."""
    return "" if value is None else format_decimal(value, locale=language())


def percent(value, digits: int = 0) -> str:
    """A share (0.42) as ``42%``."""
    if value is None:
        return ""
    return format_percent(value, format="#,##0" + ("." + "0" * digits if digits else "") + "%",
                          locale=language())
