"""The one place where errors become ``application/problem+json`` responses."""

from __future__ import annotations

import http
import logging
from collections.abc import Iterable

from flask import Flask, jsonify
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from marshmallow import INCLUDE, Schema, fields
from werkzeug.exceptions import HTTPException, InternalServerError

from shared.errors import PROBLEM_JSON, DomainError, TooManyRequests, problem
from shared.openapi import OPTIONAL, ContractPlugin, mark_response_fields_required

log = logging.getLogger(__name__)

# Invalid request bodies are 422; invalid query/path/header parameters are 400.
_BODY_LOCATIONS = {"json", "form", "files"}


class ProblemSchema(Schema):
    """RFC 9457 problem details (documents every error response).

    Problem types may add members (RFC 9457 section 3.2), so others are allowed.
    """

    class Meta:
        unknown = INCLUDE

    type = fields.String(metadata={"format": "uri"})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String(metadata={OPTIONAL: True})
    errors = fields.Dict(keys=fields.String(),
                         metadata={OPTIONAL: True, "description": "field name -> messages"})
    error = fields.String(metadata={
        OPTIONAL: True,
        "description": "OAuth 2 error code (RFC 6749 section 5.2), on the OAuth endpoints"})


class ProblemApi(Api):
    """flask-smorest ``Api`` whose errors are problem details and whose document
    generated clients can use (see :mod:`shared.openapi`)."""

    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app: Flask) -> None:
        self.contract = ContractPlugin()
        super().__init__(app, spec_kwargs={"extra_plugins": [self.contract]})
        # apispec says "url", which is no OpenAPI format; "uri" is.
        self.register_field(fields.URL, "string", "uri")

    def register_blueprints(self, blueprints: Iterable) -> None:
        """Register every blueprint, then complete the document (required response fields)."""
        for blueprint in blueprints:
            self.register_blueprint(blueprint)
        mark_response_fields_required(self.spec, self.contract)

    def _register_responses(self) -> None:
        # flask-smorest's, with problem details' own media type.
        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def handle_http_exception(self, error: HTTPException):
        """Werkzeug/webargs errors → problem details with field errors."""
        data = getattr(error, "data", None) or {}
        messages = data.get("messages") or data.get("errors")
        status, errors = error.code or 500, None
        title, detail = error.name, data.get("message") or error.description
        if isinstance(messages, dict) and messages:
            errors = _flatten(messages)
            if status == 422 and set(messages) <= _BODY_LOCATIONS:
                title, detail = "Validation failed", "the request body has invalid fields"
            elif status == 422:
                status = 400
                title, detail = "Invalid request parameters", "see errors for each parameter"
            elif status == 400 and "Invalid JSON body." in str(messages):
                detail = "the request body is not valid JSON"
        if status >= 500:
            detail = "an unexpected error occurred"
        headers = {**_http_headers(error), **(data.get("headers") or {})}
        return problem_response(problem(status, title, detail,
                                        type_slug=title.lower().replace(" ", "-"),
                                        errors=errors), status, headers)


def _http_headers(error: HTTPException) -> dict:
    # Headers the error itself calls for (``Allow`` on a 405), minus its HTML content type.
    return {name: value for name, value in error.get_headers() if name.lower() != "content-type"}


def _flatten(messages: dict) -> dict:
    # {"json": {"name": [...]}, "query": {...}} -> {"name": [...], ...}; a body
    # that is not an object at all arrives as {"json": {"_schema": [...]}}.
    out: dict = {}
    for value in messages.values():
        out.update(value if isinstance(value, dict) else {"_schema": value})
    return out


def problem_response(body: dict, status: int, headers: dict | None = None):
    """A Flask response carrying ``body`` as ``application/problem+json``."""
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register_problem_handlers(app: Flask) -> None:
    """Domain errors → their 4xx; anything unexpected → a 500 problem (and a log)."""

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        headers = dict(error.headers)
        if isinstance(error, TooManyRequests):
            headers["Retry-After"] = str(error.retry_after)
        if error.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        body = problem(error.status, error.title, error.detail, error.type_slug, error.errors,
                       **getattr(error, "members", {}))
        return problem_response(body, error.status, headers)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return app.extensions["score_api"].handle_http_exception(error)
        log.exception("unhandled error")
        return app.extensions["score_api"].handle_http_exception(InternalServerError())
