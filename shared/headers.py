"""Response headers every service sends: no sniffing, no caching of what a token unlocked.

- ``X-Content-Type-Options: nosniff`` on every response, so a browser never
  runs a JSON body (which may echo caller input) as HTML or script;
- ``Vary: Authorization`` on every response: public endpoints show more to
  some callers (a provider's staff see its drafts), so a shared cache must key
  on the token;
- ``Cache-Control: no-store`` on every response to a request that carried
  credentials: what a token unlocked stays out of every cache.
"""

from __future__ import annotations

from flask import Flask, Response, request


def init_response_headers(app: Flask) -> None:
    """Add the headers above to every response of ``app``."""
    app.after_request(_harden)


def _harden(response: Response) -> Response:
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    if "Vary" in headers:
        response.vary.add("Authorization")
    else:  # the common case, without parsing and re-serialising a header set
        headers["Vary"] = "Authorization"
    if "Authorization" in request.headers:
        headers["Cache-Control"] = "no-store"
    return response
