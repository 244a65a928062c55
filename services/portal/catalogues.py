"""The translation catalogues: extracted from code and templates, one per area.

Each area of the portal (the shared pages, and one per role) has its own catalogue,
``translations/<area>/id/LC_MESSAGES/messages.po`` – so people working on different
roles never edit the same file – and Flask-Babel merges them at run time. English is
the source language: its strings are the message ids, so it needs no catalogue.

``score portal i18n`` extracts every marked string (``_()``, ``gettext``,
``lazy_gettext``, ``ngettext`` in Python; the same and ``{% trans %}`` in templates),
updates each area's ``.po`` (new strings untranslated, vanished ones dropped) and
compiles the ``.mo`` that runs. ``score portal i18n --check`` changes nothing and
fails when a string is untranslated or a ``.mo`` is stale – a test runs it.
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from shared.commands import Command

ROOT = Path(__file__).parent
TRANSLATIONS = ROOT / "translations"
TRANSLATED = ("id",)
ROLE_AREAS = ("sme", "provider", "sponsor", "trainer", "admin", "ilo")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None,
            "_l": None, "lazy_ngettext": (1, 2)}
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}


def area_of(path: Path) -> str:
    """The area a source file belongs to: its role's, or ``core``."""
    relative = path.relative_to(ROOT).parts
    if relative[0] == "web" and path.stem in ROLE_AREAS:
        return path.stem
    if relative[0] == "web" and len(relative) > 2 and relative[1] in ROLE_AREAS:
        return relative[1]  # a role's package of pages
    if relative[0] == "templates" and len(relative) > 2 and relative[1] in ROLE_AREAS:
        return relative[1]
    return "core"


def sources() -> Iterator[Path]:
    """Every file strings are extracted from."""
    yield from sorted(p for p in ROOT.rglob("*.py") if "migrations" not in p.parts)
    yield from sorted((ROOT / "templates").rglob("*.html"))


def extract() -> dict[str, Catalog]:
    """A template catalogue per area, from the current sources."""
    templates = {area: Catalog(project="SCORE Marketplace portal")
                 for area in ("core", *ROLE_AREAS)}
    for path in sources():
        method = "python" if path.suffix == ".py" else "jinja2.ext:babel_extract"
        options = None if path.suffix == ".py" else JINJA_OPTIONS
        for line, message, comments, context in extract_from_file(
                method, path, keywords=KEYWORDS, options=options):
            templates[area_of(path)].add(message, None, [(str(path.relative_to(ROOT)), line)],
                                         auto_comments=comments, context=context)
    return templates


def po_path(area: str, locale: str) -> Path:
    """Where an area's catalogue for ``locale`` lives."""
    return TRANSLATIONS / area / locale / "LC_MESSAGES" / "messages.po"


def directories() -> list[str]:
    """Every area's translations directory (Flask-Babel merges them)."""
    return [str(TRANSLATIONS / area) for area in ("core", *ROLE_AREAS)]


def _updated(area: str, locale: str, template: Catalog) -> Catalog:
    path = po_path(area, locale)
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
    else:
        catalog = Catalog(locale=locale, project=template.project)
    # No fuzzy guesses: a string is translated by a person or shown untranslated.
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    catalog.obsolete.clear()
    return catalog


def _po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, sort_output=True, include_lineno=False)
    return out.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def run(check: bool = False) -> list[str]:
    """Update (or with ``check`` only inspect) every catalogue; the problems found."""
    problems: list[str] = []
    for area, template in extract().items():
        for locale in TRANSLATED:
            catalog = _updated(area, locale, template)
            missing = [m.id for m in catalog if m.id and not (
                all(m.string) if isinstance(m.string, tuple) else m.string)]
            problems += [f"{area}/{locale}: untranslated: {msgid!r}" for msgid in missing]
            po, mo = po_path(area, locale), po_path(area, locale).with_suffix(".mo")
            wanted_po, wanted_mo = _po_bytes(catalog), _mo_bytes(catalog)
            if check:
                if not po.exists() or _strip_dates(po.read_bytes()) != _strip_dates(wanted_po):
                    problems.append(f"{area}/{locale}: messages.po is not up to date")
                if not mo.exists() or mo.read_bytes() != wanted_mo:
                    problems.append(f"{area}/{locale}: messages.mo is stale")
                continue
            po.parent.mkdir(parents=True, exist_ok=True)
            if not po.exists() or _strip_dates(po.read_bytes()) != _strip_dates(wanted_po):
                po.write_bytes(wanted_po)
            mo.write_bytes(wanted_mo)
    return problems


def _strip_dates(text: bytes) -> bytes:
    return b"\n".join(line for line in text.splitlines()
                      if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision-Date')))


def _command(context, args: argparse.Namespace) -> int:
    problems = run(check=args.check)
    for problem in problems:
        print(problem)
    if args.check:
        return 1 if problems else 0
    print(f"catalogues updated in {TRANSLATIONS}; {len(problems)} strings to translate")
    return 0


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="change nothing; fail on problems")


I18N = Command("i18n", _command, "extract, update and compile the portal's translation "
               "catalogues (--check: fail when one is incomplete or stale)", _arguments)
