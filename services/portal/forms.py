"""Forms as the pages use them: what was typed, the errors per field, one message on top.

A page renders a form from a :class:`Form` (empty, or after a refused submit with
the values kept), so everything typed survives a refusal. ``Form.refused(error)``
takes a service's problem and puts each field error next to its field, in the
user's language (:mod:`services.portal.messages`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from flask import request

from services.portal.backend import ServiceRefused
from services.portal.messages import field_errors, problem_message


@dataclasses.dataclass
class Form:
    """Values, field errors and a general message for one form."""

    values: dict[str, Any] = dataclasses.field(default_factory=dict)
    errors: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    message: str | None = None

    @classmethod
    def posted(cls) -> Form:
        """The submitted form's values (multi-valued fields as lists)."""
        values: dict[str, Any] = {}
        for key in request.form:
            items = request.form.getlist(key)
            values[key] = items if len(items) > 1 or key.endswith("[]") else items[0]
        return cls(values)

    def get(self, name: str, default: Any = "") -> Any:
        """The value typed into ``name``."""
        return self.values.get(name, default)

    def error(self, name: str, message: str) -> None:
        """Add a message next to ``name``."""
        self.errors.setdefault(name, []).append(message)

    def refused(self, error: ServiceRefused, names: Mapping[str, str] | None = None) -> Form:
        """Take a service's refusal: field errors where they belong, the rest on top."""
        self.errors.update(field_errors(error, dict(names or {})))
        self.message = problem_message(error)
        return self

    @property
    def ok(self) -> bool:
        """No errors so far."""
        return not self.errors and not self.message


def idempotency_header() -> dict[str, str]:
    """``Idempotency-Key`` from the form's hidden ``form_key`` (a double submit acts once)."""
    key = request.form.get("form_key", "")
    return {"Idempotency-Key": key} if 8 <= len(key) <= 64 else {}
