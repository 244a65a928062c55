"""Error pages in the user's language, instead of the services' problem documents.

A page that needs a signed-in user sends a visitor to sign in (and back after);
a service that cannot answer gives a friendly 503; a form whose CSRF token is
missing or stale a 400 asking to try again. Paths under the shared machinery's own
endpoints (``/healthz``, ``/openapi.json``, ``/metrics``) keep their JSON answers.
"""

from __future__ import annotations

import logging

from flask import Flask, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from services.portal.backend import ServiceRefused, ServiceUnavailable
from services.portal.messages import unavailable_message
from services.portal.users import LoginRequired

log = logging.getLogger(__name__)

# The shared app's machine endpoints: their errors stay problem documents.
MACHINE_PATHS = ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs")


def init_errors(app: Flask) -> None:
    """Register the HTML error handlers (after the shared problem handlers, so they win)."""
    app.register_error_handler(LoginRequired, _sign_in_first)
    app.register_error_handler(ServiceUnavailable, _unavailable)
    app.register_error_handler(ServiceRefused, _refused)
    app.register_error_handler(CSRFError, _stale_form)
    problem_handler = app.error_handler_spec[None][None].get(Exception)

    def _http_error(error: HTTPException):
        if request.path.startswith(MACHINE_PATHS) and problem_handler is not None:
            return problem_handler(error)
        return error_page(error.code or 500)

    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http_error(error)
        log.exception("unhandled error")
        return error_page(500)

    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def error_page(status: int, message: str | None = None):
    """The friendly page for ``status``."""
    titles = {
        400: _("The request could not be understood"),
        403: _("You may not open this page"),
        404: _("Page not found"),
        405: _("This action is not available here"),
        413: _("The upload is too large"),
        429: _("Too many requests"),
        503: _("Temporarily unavailable"),
    }
    title = titles.get(status, _("Something went wrong"))
    if message is None:
        message = (_("We could not find what you were looking for.") if status == 404
                   else _("Please go back and try again."))
    return render_template("error.html", status=status, title=title, message=message), status


def _sign_in_first(error: LoginRequired):
    target = request.full_path if request.method == "GET" else request.referrer
    return redirect(url_for("account.login", next=target), 303)


def _unavailable(error: ServiceUnavailable):
    log.warning("service unavailable", extra={"service": error.service, "detail": error.detail})
    return error_page(503, unavailable_message(error))


def _refused(error: ServiceRefused):
    # A refusal a page did not handle itself: a foreign or missing row looks absent.
    if error.status in (401,):
        return _sign_in_first(LoginRequired())
    if error.status in (403, 404):
        return error_page(404)
    from services.portal.messages import problem_message

    return error_page(400 if error.status < 500 else 503, problem_message(error))


def _stale_form(error: CSRFError):
    return error_page(400, _("This form has expired. Please reload the page and try again."))
