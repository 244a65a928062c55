"""``bench/portal.py``'s parts work before the portal exists: its sign-in against a
stand-in that keeps the portal's contract, and its Lighthouse run on a static page.

The bench itself is not run by the suite.
"""

from __future__ import annotations

import http.server
import threading
import urllib.parse
from collections.abc import Iterator

import pytest

from bench.portal import Page, failed_audits, lighthouse, login, scores, signed_in, status_of
from tests.infra.ports import LOOPBACK

PASSWORD = "score-demo-2026"
FORM = ('<!doctype html><html lang="en"><head><title>Masuk</title></head><body><form '
        'method="post"><input type="hidden" value="{token}" name="csrf_token">'
        '<input name="email"><input name="password" type="password"></form></body></html>')


class _FakePortal(http.server.BaseHTTPRequestHandler):
    """The portal's sign-in contract: a CSRF token bound to a pre-login session cookie."""

    def _cookie(self) -> str:
        for part in (self.headers.get("Cookie") or "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == "score_portal":
                return value
        return ""

    def _answer(self, status: int, body: str = "", headers: dict | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        for name, value in {"Content-Type": "text/html; charset=utf-8",
                            "Content-Length": str(len(data)), **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/login":
            self._answer(200, FORM.format(token="tok-anon"),
                         {"Set-Cookie": "score_portal=anon; Path=/; HttpOnly; SameSite=Lax"})
        elif self.path == "/sessions":
            self._answer(200, "public")
        elif self.path == "/sme/enrolments" and self._cookie() == "user-owner@sme.example":
            self._answer(200, "enrolments")
        else:
            self._answer(303, headers={"Location": "/login"})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        form = dict(urllib.parse.parse_qsl(body))
        if self._cookie() != "anon" or form.get("csrf_token") != "tok-anon":
            self._answer(400, "CSRF")
        elif form.get("password") != PASSWORD:
            self._answer(400, FORM.format(token="tok-anon"))
        else:
            self._answer(303, headers={
                "Location": "/", "Set-Cookie": f"score_portal=user-{form['email']}; Path=/"})

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def fake_portal() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer((LOOPBACK, 0), _FakePortal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://{LOOPBACK}:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_pages_name_their_user():
    assert Page.parse("/sme/enrolments=owner@sme.example") == Page("/sme/enrolments",
                                                                   "owner@sme.example")
    assert Page.parse("/sessions") == Page("/sessions", None)


def test_the_bench_signs_in_through_the_form_and_keeps_the_session_cookie(fake_portal):
    cookie = login(fake_portal, "owner@sme.example")
    assert "score_portal=user-owner@sme.example" in cookie
    assert status_of(f"{fake_portal}/sme/enrolments", cookie) == 200
    assert status_of(f"{fake_portal}/sme/enrolments", None) == 303
    assert signed_in(fake_portal, Page("/sme/enrolments", "owner@sme.example"),
                     PASSWORD) == cookie
    assert signed_in(fake_portal, Page("/sessions"), PASSWORD) is None
    with pytest.raises(RuntimeError, match="answered 400"):
        login(fake_portal, "owner@sme.example", "wrong")


@pytest.mark.e2e
def test_lighthouse_scores_a_page_in_debian_chromium_with_the_given_cookie(browser_tools,
                                                                          static_site):
    static_site.cookies.clear()
    report = lighthouse(f"{static_site.url}/bad", headers={"Cookie": "score_portal=abc"})
    got = scores(report)
    assert got["performance"] >= 90
    assert got["accessibility"] < 100
    assert {"image-alt", "label"} <= set(failed_audits(report))
    assert "score_portal=abc" in static_site.cookies
    assert report["environment"]["hostUserAgent"]
    assert report["lighthouseVersion"].startswith("12.")
