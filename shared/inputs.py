"""Hostile input refused before any view runs, the same way in every service.

Checked on every request, whatever the endpoint and its schemas:

- a body an endpoint reads as JSON must be sent as JSON (else 415, naming the
  accepted media types in the problem and in ``Accept``);
- a JSON body must be JSON a database can store: valid UTF-8 without lone
  surrogates (``"\\ud800"``), no ``NaN``/``Infinity``, nested at most
  :data:`MAX_JSON_DEPTH` deep (else 400);
- no string anywhere – JSON or form body, query string, path segment – may hold
  a NUL character, which PostgreSQL refuses to store (body: 422 naming the
  field; query or path: 400 naming the parameter);
- an integer path segment must fit a 64-bit column (else 404: no such row).

A view that must answer these in its own error format (OAuth's ``error`` codes)
registers a blueprint error handler for :class:`RefusedInput`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from flask import Flask, request

from shared.endpoints import JSON, body_media_types, refuse_unbounded_integers
from shared.errors import DomainError, NotFound

MAX_JSON_DEPTH = 32
_INT64 = 2**63
_SURROGATE = re.compile("[\ud800-\udfff]")
_NUL_MESSAGE = "must not contain NUL characters"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class RefusedInput(DomainError):
    """Input refused by this module, before any view ran."""


class MalformedJson(RefusedInput):
    """A JSON body that cannot be parsed, or parsed into nothing storable (400)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, errors={"_schema": [detail]})


class InvalidBodyFields(RefusedInput):
    """Body fields no schema could accept (422, ``errors`` maps each)."""

    status, title, type_slug = 422, "Validation failed", "validation-failed"


class InvalidParameters(RefusedInput):
    """Query or path parameters no schema could accept (400, ``errors`` maps each)."""

    status, title, type_slug = 400, "Invalid request parameters", "invalid-request-parameters"


class UnsupportedMediaType(RefusedInput):
    """A body in a media type the endpoint does not read (415)."""

    status, title, type_slug = 415, "Unsupported media type", "unsupported-media-type"

    def __init__(self, accepted: list[str], method: str) -> None:
        listed = " or ".join(accepted)
        super().__init__(f"send the request body as {listed}",
                         errors={"Content-Type": [f"must be {listed}"]})
        self.headers = {"Accept": ", ".join(accepted)}
        if method == "PATCH":
            self.headers["Accept-Patch"] = self.headers["Accept"]  # RFC 5789 section 2.2


def init_input_guard(app: Flask) -> None:
    """Refuse hostile input on every request of ``app`` (call after registering blueprints).

    Also refuses to build an app whose request schemas take unbounded integers.
    """
    refuse_unbounded_integers(app)
    app.before_request(_guard)


def _guard() -> None:
    if request.url_rule is None:
        return  # no such route or method: a 404 or 405, whatever was sent
    _check_path(request.view_args or {})
    _check_strings(request.args.items(multi=True), InvalidParameters)
    if request.method not in _BODY_METHODS:
        return
    _check_media_type()
    if request.is_json:
        data = request.get_data(cache=True)
        if data:
            _check_document(_parse(data))
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        _check_strings(request.form.items(multi=True), InvalidBodyFields)


def _check_path(view_args: dict[str, Any]) -> None:
    errors = {name: [_NUL_MESSAGE] for name, value in view_args.items()
              if isinstance(value, str) and "\x00" in value}
    if errors:
        raise InvalidParameters("see errors for each parameter", errors)
    if any(isinstance(v, int) and not -_INT64 <= v < _INT64 for v in view_args.values()):
        raise NotFound("no such resource")


def _check_strings(pairs: Iterable[tuple[str, str]], error: type[RefusedInput]) -> None:
    errors = {name: [_NUL_MESSAGE] for name, value in pairs
              if "\x00" in name or "\x00" in value}
    if errors:
        raise error("see errors for each parameter" if error is InvalidParameters
                    else "the request body has invalid fields", errors)


def _check_media_type() -> None:
    accepted = body_media_types(request.endpoint, request.method)
    if not accepted:
        return
    mimetype = request.mimetype
    sent_body = bool(request.content_length) or "chunked" in request.headers.get(
        "Transfer-Encoding", "").lower()
    if not mimetype and not sent_body:
        return  # no body at all: the schema says which fields were missing
    if mimetype in accepted or (JSON in accepted and request.is_json):
        return
    raise UnsupportedMediaType(sorted(accepted), request.method)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except RecursionError:
        raise MalformedJson(f"the JSON body is nested more than {MAX_JSON_DEPTH} deep") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, too many digits, NaN
        raise MalformedJson(f"the request body is not valid JSON: {exc}") from None


def _check_document(document: Any) -> None:
    """Depth and lone surrogates (400), then NUL characters (422 naming each field)."""
    errors: dict[str, Any] = {}
    stack: list[tuple[Any, tuple[str, ...]]] = [(document, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_JSON_DEPTH:
            raise MalformedJson(f"the JSON body is nested more than {MAX_JSON_DEPTH} deep")
        if isinstance(value, str):
            _check_text(value, path, errors)
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, (*path, key), errors)
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, str(index))) for index, item in enumerate(value))
    if errors:
        raise InvalidBodyFields("the request body has invalid fields", errors)


def _check_text(text: str, path: tuple[str, ...], errors: dict[str, Any]) -> None:
    if not text.isascii() and _SURROGATE.search(text):
        raise MalformedJson("the request body is not valid JSON: a string holds a lone "
                            "UTF-16 surrogate, which is no Unicode character")
    if "\x00" in text:
        _nest(errors, path or ("_schema",), [_NUL_MESSAGE])


def _nest(errors: dict[str, Any], path: tuple[str, ...], messages: list[str]) -> None:
    # The shape marshmallow gives nested errors: {"trainers": {"0": {"role": [...]}}}.
    for part in path[:-1]:
        node = errors.setdefault(part, {})
        if not isinstance(node, dict):  # the key itself was refused already
            return
        errors = node
    errors.setdefault(path[-1], messages)
