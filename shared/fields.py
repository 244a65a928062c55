"""marshmallow fields and schema helpers that accept exactly what the OpenAPI document says."""

from __future__ import annotations

import copy
from typing import Any

from marshmallow import Schema, ValidationError, fields, missing, validate

from shared import indonesia

PHONE = validate.Regexp(r"^\+?[0-9][0-9 ()-]{5,19}$", error="not a phone number")
NPWP_FORMAT = {"pattern": r"^([0-9]{16}|[0-9]{15}|[0-9]{2}\.[0-9]{3}\.[0-9]{3}\.[0-9]-[0-9]{3}"
                          r"\.[0-9]{3})$",
               "description": "16 digits, or the legacy 15 digits (plain or "
                              "99.999.999.9-999.999); stored as 16 digits",
               "example": "0123456789012345"}


class Trimmed(fields.String):
    """A string stripped of surrounding whitespace before validation."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class Npwp(fields.String):
    """An NPWP: 16 digits, or legacy 15 digits (``99.999.999.9-999.999``); stored as 16."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return indonesia.normalise_npwp(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


def text(lo: int, hi: int, **kw) -> Trimmed:
    """A trimmed string of ``lo``..``hi`` characters."""
    return Trimmed(validate=validate.Length(lo, hi), **kw)


def bounded_int(lo: int, hi: int, **kw) -> fields.Integer:
    """A JSON integer (no strings, no floats) in ``lo``..``hi``."""
    return fields.Integer(strict=True, validate=validate.Range(lo, hi), **kw)


def patch_of(base: type[Schema], name: str, doc: str, exclude: tuple[str, ...] = ()):
    """A schema accepting any subset of ``base``'s fields (PATCH bodies); no defaults."""
    declared = {}
    for key, field in base._declared_fields.items():
        if key not in exclude:
            clone = copy.copy(field)
            clone.required, clone.load_default = False, missing
            declared[key] = clone
    return type(name, (Schema,), {**declared, "__doc__": doc})


class StrictBoolean(fields.Boolean):
    """A JSON boolean, ``true`` or ``false`` only.

    marshmallow's Boolean also takes ``1``, ``"yes"``, ``"on"``...; the document says
    ``type: boolean``, so anything else is refused like any other wrong type.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value
