"""Browser test helpers: axe-core accessibility checks and screenshots of Playwright pages.

    def test_search_page(browser_page, marketplace):
        browser_page.goto(f"{marketplace.urls['portal']}/sessions")
        assert_accessible(browser_page)                 # no serious or critical violation
        screenshot(browser_page, "portal-search")       # docs/screenshots/ with SCORE_SCREENSHOTS=1

axe-core is the pinned npm package :mod:`tests.infra.browser` caches; it runs inside the
page against :data:`AXE_TAGS` (WCAG 2.0, 2.1 and 2.2 at levels A and AA, plus axe's best
practices).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from tests.infra import browser as browser_infra

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = [
    "AXE_TAGS",
    "SCREENSHOTS_DIR",
    "assert_accessible",
    "axe_violations",
    "describe",
    "screenshot",
]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS_DIR = ROOT / "docs" / "screenshots"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _inject_axe(page: Page) -> None:
    """Load axe into the page once (a script tag; by evaluation where a CSP forbids that)."""
    if page.evaluate("typeof window.axe !== 'undefined'"):
        return
    from playwright.sync_api import Error as PlaywrightError

    script = browser_infra.axe_script_path()
    with contextlib.suppress(PlaywrightError):  # a Content-Security-Policy refused the tag
        page.add_script_tag(path=script)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # DevTools evaluation is not subject to the page's CSP; a function keeps the
        # script's top-level ``this`` the window, where axe's bundle defines itself.
        page.evaluate("source => { (0, eval)(source); }", script.read_text())
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        raise RuntimeError(f"axe-core did not load into {page.url}")


def axe_violations(page: Page, impacts: tuple[str, ...] = ("serious", "critical"),
                   tags: tuple[str, ...] = AXE_TAGS) -> list[dict]:
    """axe-core's violations on the page as it is now, those whose impact is in ``impacts``.

    Each is axe's result object: ``id``, ``impact``, ``help``, ``helpUrl``, ``tags`` and
    ``nodes`` (each with ``target``, its CSS selector path, and ``failureSummary``).
    """
    _inject_axe(page)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        list(tags))
    return [v for v in results["violations"] if v.get("impact") in impacts]


def describe(violations: list[dict], nodes: int = 3) -> str:
    """One line per violation: id, impact, help and the first ``nodes`` targets."""
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:nodes]]
        more = len(violation["nodes"]) - len(targets)
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} "
                     f"at {', '.join(targets)}{f' (+{more} more)' if more > 0 else ''}")
    return "\n".join(lines)


def assert_accessible(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> None:
    """Fail listing every serious or critical axe violation (id, help, first node targets)."""
    violations = axe_violations(page, impacts)
    assert not violations, (
        f"{len(violations)} accessibility violation(s) on {page.url}:\n{describe(violations)}")


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of the page; returns its path.

    ``docs/screenshots/<name>.png`` when ``SCORE_SCREENSHOTS=1`` (to refresh the docs'
    pictures), else a temp dir, so ordinary test runs leave the tree clean.
    """
    if not _NAME.match(name):
        raise ValueError(f"screenshot name {name!r}: letters, digits, '.', '_' and '-' only")
    if os.environ.get("SCORE_SCREENSHOTS") == "1":
        folder = SCREENSHOTS_DIR
    else:
        folder = Path(tempfile.gettempdir()) / "score-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
