"""Headers of an HTML application: a strict content security policy and no framing.

Every script and style is the portal's own file (no inline code, nothing from
elsewhere), so the policy allows ``'self'`` only; images may also be ``data:``
(the SVG charts are inline markup and need nothing). Pages of a signed-in user are
never cached.
"""

from __future__ import annotations

from flask import Flask, Response, request, session

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'")


def init_headers(app: Flask) -> None:
    """Add the headers to every response."""
    app.after_request(_harden)


def _harden(response: Response) -> Response:
    headers = response.headers
    if response.mimetype == "text/html":
        # A page relayed from a service (a printable invoice) brings its own policy.
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        if session.get("user") or request.method != "GET":
            headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    return response
