"""The one factory every service's ``create_app`` calls.

It binds settings, database (migrated in development), bus, auth, problem
errors, OpenAPI (``/openapi.json`` and ``/docs``), request ids, JSON logs,
health and metrics. In the embedded mode it also starts the service's relay
and consumer as threads.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from typing import Any

import orjson
from flask import Blueprint, Flask, current_app
from flask.sessions import SecureCookieSessionInterface

from shared import idempotency
from shared.auth import init_auth
from shared.config import ConfigError, Settings, load_settings
from shared.db import Database
from shared.events.bus import Bus, open_bus
from shared.headers import init_response_headers
from shared.inputs import init_input_guard
from shared.logs import configure_logging
from shared.observability import init_observability
from shared.problems import ProblemApi, register_problem_handlers
from shared.runtime import ServiceRuntime

DOCS_ASSETS = "/docs/assets"


def create_service_app(runtime: ServiceRuntime, config: Mapping[str, Any] | None = None) -> Flask:
    """A configured Flask app for ``runtime``; ``config`` overrides environment settings."""
    settings = _with_development_jwks(load_settings(runtime.name, config))
    configure_logging(runtime.name, settings.log_level)
    app = ServiceFlask(f"services.{runtime.name}")
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_content_length,
        API_TITLE=runtime.title,
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_REDOC_PATH="/docs",
        # Served by this app (shared/static/redoc): the docs work with no network.
        OPENAPI_REDOC_URL=f"{DOCS_ASSETS}/redoc/redoc.standalone.js",
        API_SPEC_OPTIONS={"info": {"description": runtime.description}},
        JSON_SORT_KEYS=False,
    )
    app.session_interface = _CookieSessionsOnDemand()
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    db = runtime.database(settings.database_url)
    if settings.auto_migrate:
        db.migrate(runtime.migrations)
    idempotency.install(db)
    app.extensions.update(score_settings=settings, score_runtime=runtime, score_db=db,
                          score_bus=open_bus(settings))
    api = ProblemApi(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    app.extensions["score_api"] = api
    api.register_blueprints(runtime.blueprints())
    app.register_blueprint(Blueprint("score_docs_assets", __name__, static_folder="static",
                                     static_url_path=DOCS_ASSETS))
    register_problem_handlers(app)
    init_observability(app)
    init_auth(app)
    init_input_guard(app)
    init_response_headers(app)
    if runtime.on_init is not None:
        runtime.on_init(app)
    if "score_auth" not in app.extensions:
        raise ConfigError(f"{runtime.name} cannot verify tokens: set SCORE_JWKS_URL")
    if settings.run_workers:
        from shared.workers import start_workers

        start_workers(app)
    return app


def _with_development_jwks(settings: Settings) -> Settings:
    """Outside production, tokens are verified against the key publisher found in services/."""
    if settings.jwks_url or settings.get("jwks") or settings.is_production:
        return settings
    from shared.runtime import development_jwks_url

    return dataclasses.replace(settings, jwks_url=development_jwks_url())


class ServiceFlask(Flask):
    """Flask, minus a per-request cost of asking whether each hook is a coroutine.

    Flask's ``ensure_sync`` calls ``inspect.iscoroutinefunction`` on every view and
    hook of every request (about nine per request here). Our views and hooks are
    plain functions registered once, so the answer is remembered per function – for
    a bound method (a ``MethodView`` is instantiated per request) per the function
    behind it, so the set never grows with requests.
    """

    def ensure_sync(self, func):
        key = getattr(func, "__func__", func)
        try:
            if key in self._sync_functions:
                return func
        except TypeError:  # not hashable: ask every time, as Flask does
            return super().ensure_sync(func)
        synced = super().ensure_sync(func)
        if synced is func:
            self._sync_functions.add(key)
        return synced

    @functools.cached_property
    def _sync_functions(self) -> set:
        return set()


class _CookieSessionsOnDemand(SecureCookieSessionInterface):
    """Flask's cookie sessions, minus their per-request cost when no cookie was sent.

    The stock interface builds its signing serializer on every request; the APIs
    are token-based, so almost no request carries a session cookie. Without one,
    an empty session is what the stock interface would return too.
    """

    def open_session(self, app, request):
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def json_response(body: Any):
    """A JSON response encoded by orjson, for a hot read path that skips the response schema.

    ~4x faster than Flask's ``json``; the view still documents its schema with
    ``@blp.response`` (flask-smorest passes a ready response through untouched), so the
    body must be what that schema would have dumped – datetimes as ISO 8601 text.
    """
    return current_app.response_class(orjson.dumps(body), mimetype="application/json")


def current_db() -> Database:
    """The database of the app handling this request."""
    return current_app.extensions["score_db"]


def current_bus() -> Bus:
    """The event bus of the app handling this request."""
    return current_app.extensions["score_bus"]


def current_settings():
    """The settings of the app handling this request."""
    return current_app.extensions["score_settings"]
