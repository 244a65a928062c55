"""gunicorn settings shared by every service's API: ``gunicorn -c python:shared.gunicorn_config``.

gunicorn writes ``Server: gunicorn`` on every response and has no setting to
turn it off; a banner only tells an attacker what to look up. The hook below
drops that header line in the master before any worker is forked, so every
worker inherits it. Flags on the command line (``deploy/boot.sh``) still set
workers, threads and timeouts.
"""

from __future__ import annotations

from typing import Any


def on_starting(_server: Any) -> None:
    """gunicorn hook (master, before the workers fork): send no ``Server`` header."""
    from gunicorn.http import wsgi

    default_headers = wsgi.Response.default_headers
    if getattr(default_headers, "score_without_banner", False):
        return

    def without_banner(response: Any) -> list[str]:
        return [line for line in default_headers(response)
                if not line.lower().startswith("server:")]

    without_banner.score_without_banner = True  # type: ignore[attr-defined]
    wsgi.Response.default_headers = without_banner  # type: ignore[method-assign]
