"""marshmallow fields that accept exactly what the OpenAPI document says."""

from __future__ import annotations

from typing import Any

from marshmallow import fields


class StrictBoolean(fields.Boolean):
    """A JSON boolean, ``true`` or ``false`` only.

    marshmallow's Boolean also takes ``1``, ``"yes"``, ``"on"``...; the document says
    ``type: boolean``, so anything else is refused like any other wrong type.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value
