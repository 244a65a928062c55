"""A static site on 127.0.0.1 (``http.server``) for the browser infrastructure's own tests."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from tests.infra.ports import LOOPBACK

# A 1×1 GIF.
PIXEL = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
HEAD = ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>{title}</title></head><body><main>{body}</main></body></html>')
GOOD = HEAD.format(title="Sessions", body=(
    '<h1 id="greeting">Pelatihan SCORE</h1>'
    '<form><label for="q">Search</label><input id="q" name="q" type="search">'
    '<button type="submit">Search</button></form>'
    f'<img src="{PIXEL}" alt="SCORE logo">'))
BAD = HEAD.format(title="Broken", body=(
    '<h1>Broken</h1>'
    f'<img src="{PIXEL}">'  # no alt: image-alt, critical
    '<form><input name="q" type="text"></form>'))  # no label: label, critical
PAGES = {
    "/good": (GOOD, {}),
    "/bad": (BAD, {}),
    # No inline scripts at all: axe must still get in (DevTools evaluation ignores CSP).
    "/bad-csp": (BAD, {"Content-Security-Policy": "default-src 'self'; script-src 'self'"}),
}


class StaticSite(http.server.ThreadingHTTPServer):
    """Serves :data:`PAGES`; ``cookies`` lists the Cookie header of every request."""

    cookies: list[str | None]

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{LOOPBACK}:{self.server_address[1]}"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: StaticSite

    def do_GET(self) -> None:
        self.server.cookies.append(self.headers.get("Cookie"))
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
def static_site() -> Iterator[StaticSite]:
    """The running site; its base URL is ``static_site.url``."""
    server = StaticSite((LOOPBACK, 0), _Handler)
    server.cookies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def site(static_site: StaticSite) -> str:
    """Base URL of the static site, ``http://127.0.0.1:PORT``."""
    return static_site.url
