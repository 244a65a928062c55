"""Bahasa Indonesia by default, English on request; nothing a person reads is hard-coded."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from services.portal import catalogues
from services.portal.i18n import idr, local_date, local_datetime, percent

TEMPLATES = Path(catalogues.ROOT) / "templates"
# Words that are the same in every language: names, codes, units.
UNTRANSLATED_WORDS = {"SCORE", "Marketplace", "ILO", "Rp", "IDR", "KPI", "NIB", "NPWP", "KBLI",
                      "CSV", "PDF", "JSON", "NDJSON", "SSE", "M1", "M2", "M3", "M4", "M5",
                      "ID", "EN", "Bahasa", "Indonesia", "English", "Stripe", "ID:", "eyJ"}


def test_every_string_is_translated_and_every_catalogue_compiled():
    assert catalogues.run(check=True) == []


def _visible_text(template: str) -> list[str]:
    text = re.sub(r"\{#.*?#\}", " ", template, flags=re.S)
    text = re.sub(r"<(script|style|svg|pre|code)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", text) if w not in UNTRANSLATED_WORDS]


def _literal_attributes(template: str) -> list[str]:
    found = re.findall(r'\b(?:aria-label|title|placeholder|alt)="([^"{]*[A-Za-z][^"{]*)"',
                       template)
    return [value for value in found if value not in UNTRANSLATED_WORDS]


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")),
                         ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_say_nothing_outside_the_catalogues(path):
    source = path.read_text()

    assert _visible_text(source) == []
    assert _literal_attributes(source) == []


def test_the_portal_speaks_indonesian_by_default_and_english_when_chosen(client, services):
    services.answer("catalog", "GET", "/modules", {"items": []})
    services.answer("catalog", "GET", "/provinces", {"items": []})
    services.answer("catalog", "GET", "/sessions", {"items": [], "next_cursor": None})

    page = client.get("/sessions").get_data(as_text=True)
    assert '<html lang="id">' in page and "Cari pelatihan SCORE" in page

    switched = client.get("/language/en?next=/sessions")
    assert switched.status_code == 303 and switched.headers["Location"] == "/sessions"
    page = client.get("/sessions").get_data(as_text=True)
    assert '<html lang="en">' in page and "Find SCORE training" in page

    # An unknown language changes nothing, and the way back is open.
    client.get("/language/xx")
    assert '<html lang="en">' in client.get("/sessions").get_data(as_text=True)
    client.get("/language/id")
    assert '<html lang="id">' in client.get("/sessions").get_data(as_text=True)


def test_rupiah_and_dates_follow_the_language(app):
    moment = dt.datetime(2027, 1, 5, 20, 30, tzinfo=dt.UTC)  # 03:30 on the 6th in Jakarta
    with app.test_request_context("/"):
        assert idr(1_500_000) == "Rp1.500.000"
        assert local_date("2027-01-05") == "5 Jan 2027"
        assert local_date(moment) == "6 Jan 2027"
        assert local_datetime(moment).startswith("6 Jan 2027")
        assert percent(0.42) == "42%"
    with app.test_request_context("/", headers={"Cookie": "score_lang=en"}):
        assert idr(1_500_000) == "IDR1,500,000"
        assert local_date("2027-01-05") == "Jan 5, 2027"


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")),
                         ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_hold_no_inline_style_or_script(path):
    # The content security policy allows the portal's own files only: an inline
    # style or script would be blocked in the browser.
    source = path.read_text()

    assert not re.search(r"\sstyle=\"|<style\b|<script(?![^>]*\bsrc=)|\son[a-z]+=\"", source)


def test_no_string_is_marked_inside_an_f_string():
    # The catalogue's extractor does not look inside f-strings: a string marked there
    # would never be translated.
    hidden = [f"{path.name}:{n}" for path in Path(catalogues.ROOT).rglob("*.py")
              for n, line in enumerate(path.read_text().splitlines(), 1)
              if re.search(r"""\bf(['"]).*\{[^}]*\b(_|gettext|_l|lazy_gettext)\(""", line)]

    assert hidden == []
