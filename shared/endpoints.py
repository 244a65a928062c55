"""What each endpoint declares about its input, read from flask-smorest's ``@arguments``.

flask-smorest records every ``@blp.arguments(Schema, location=...)`` of a view in
the view's ``_apidoc`` (it builds the OpenAPI document from it). Reading that one
record, rather than a second declaration, keeps what is checked here and what
is documented the same thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask, current_app
from marshmallow import Schema, fields, validate

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
_LOCATION_MEDIA_TYPES = {"json": (JSON,), "form": (FORM,), "files": ("multipart/form-data",),
                         "json_or_form": (JSON, FORM)}


def body_media_types(endpoint: str | None, method: str) -> frozenset[str]:
    """Media types the view of ``endpoint`` reads its ``method`` body as (empty: none)."""
    if endpoint is None:
        return frozenset()
    known = current_app.extensions.setdefault("score_body_media_types", {})
    if (endpoint, method) not in known:
        view = current_app.view_functions.get(endpoint)
        known[endpoint, method] = frozenset(
            media_type for argument in _arguments(_handler(view, method))
            for media_type in _media_types(argument))
    return known[endpoint, method]


def _media_types(argument: dict) -> tuple[str, ...]:
    declared = argument.get("content_type")
    return (declared,) if declared else _LOCATION_MEDIA_TYPES.get(argument["in"], ())


def _handler(view: Any, method: str) -> Any:
    """The function serving ``method`` (a MethodView's method, or the view itself)."""
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return view
    return getattr(view_class, method.lower(), None)


def _arguments(handler: Any) -> list[dict]:
    return getattr(handler, "_apidoc", {}).get("arguments", {}).get("parameters", [])


def refuse_unbounded_integers(app: Flask) -> None:
    """Raise ``TypeError`` when a request schema of ``app`` takes an unbounded integer.

    An integer without both a lowest and a highest value reaches the database
    (an offset, a column) as whatever the caller sent: 2**63 overflows SQLite
    and PostgreSQL alike, a 500 instead of a 400. Every ``fields.Integer`` of a
    request schema needs ``validate.Range(min, max)``.
    """
    unbounded = sorted({f"{view}: {name}" for view, schema in _request_schemas(app)
                        for name in _unbounded_integers(schema)})
    if unbounded:
        raise TypeError("integer request fields need validate.Range(min, max): "
                        + ", ".join(unbounded))


def _request_schemas(app: Flask) -> Iterator[tuple[str, Schema]]:
    for endpoint, view in app.view_functions.items():
        view_class = getattr(view, "view_class", None)
        handlers = ([(f"{method} {endpoint}", _handler(view, method))
                     for method in sorted(view_class.methods or ())]
                    if view_class is not None else [(endpoint, view)])
        for name, handler in handlers:
            for argument in _arguments(handler):
                schema = argument["schema"]
                yield name, schema() if isinstance(schema, type) else schema


def _unbounded_integers(schema: Schema, prefix: str = "") -> Iterator[str]:
    for name, field in schema.fields.items():
        yield from _unbounded_in_field(field, f"{prefix}{name}")


def _unbounded_in_field(field: fields.Field, name: str) -> Iterator[str]:
    if isinstance(field, fields.Integer) and not _bounded(field):
        yield name
    elif isinstance(field, fields.Nested):
        yield from _unbounded_integers(field.schema, f"{name}.")
    elif isinstance(field, fields.List):
        yield from _unbounded_in_field(field.inner, f"{name}[]")


def _bounded(field: fields.Field) -> bool:
    return any(isinstance(v, validate.Range) and v.min is not None and v.max is not None
               for v in field.validators)
