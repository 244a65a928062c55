"""The browser test infrastructure works: Debian's Chromium under Playwright, axe-core in pages.

A tiny static site on 127.0.0.1 (``http.server``) stands in for the portal: a page is
opened and read, axe finds the violations planted in a bad page and none in a good one,
also where a Content-Security-Policy forbids inline scripts (as the portal's may).
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from tests.infra.ports import LOOPBACK
from tests.support.browser import assert_accessible, axe_violations, screenshot

pytestmark = pytest.mark.e2e

HEAD = ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>{title}</title></head><body><main>{body}</main></body></html>')
GOOD = HEAD.format(title="Sessions", body=(
    '<h1 id="greeting">Pelatihan SCORE</h1>'
    '<form><label for="q">Search</label><input id="q" name="q" type="search">'
    '<button type="submit">Search</button></form>'
    '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="SCORE logo">'))
BAD = HEAD.format(title="Broken", body=(
    '<h1>Broken</h1>'
    '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'  # no alt: image-alt, critical
    '<form><input name="q" type="text"></form>'))  # no label: label, critical
PAGES = {
    "/good": (GOOD, {}),
    "/bad": (BAD, {}),
    # No inline scripts at all: axe must still get in (DevTools evaluation ignores CSP).
    "/bad-csp": (BAD, {"Content-Security-Policy": "default-src 'self'; script-src 'self'"}),
}


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body, headers = PAGES.get(self.path, ("not found", {}))
        self.send_response(200 if self.path in PAGES else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        for name, value in headers.items():
            self.send_header(name, value)
        data = body.encode()
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """Base URL of the static site, ``http://127.0.0.1:PORT``."""
    server = http.server.ThreadingHTTPServer((LOOPBACK, 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{LOOPBACK}:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_page_opens_and_reads_in_chromium(browser_page, site):
    response = browser_page.goto(f"{site}/good")
    assert response is not None and response.status == 200
    assert browser_page.text_content("#greeting") == "Pelatihan SCORE"
    assert browser_page.evaluate("navigator.language") == "en-US"
    assert screenshot(browser_page, "browser-infra-good").stat().st_size > 0


@pytest.mark.parametrize("browser_page", [{"locale": "id-ID"}], indirect=True)
def test_the_page_locale_can_be_set(browser_page, site):
    browser_page.goto(f"{site}/good")
    assert browser_page.evaluate("navigator.language") == "id-ID"


def test_axe_finds_no_serious_violation_on_a_good_page(browser_page, site):
    browser_page.goto(f"{site}/good")
    assert axe_violations(browser_page) == []
    assert_accessible(browser_page)


@pytest.mark.parametrize("path", ["/bad", "/bad-csp"])
def test_axe_finds_the_violations_planted_in_a_bad_page(browser_page, site, path):
    browser_page.goto(f"{site}{path}")
    found = {v["id"]: v for v in axe_violations(browser_page)}
    assert {"image-alt", "label"} <= found.keys()
    assert found["image-alt"]["nodes"][0]["target"] == ["img"]
    with pytest.raises(AssertionError, match=r"image-alt \(critical\).* at img"):
        assert_accessible(browser_page)
