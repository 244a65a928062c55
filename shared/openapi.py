"""OpenAPI documents that generated clients and contract tests can rely on.

flask-smorest documents what it is told; this plugin adds, for every service,
what a client generator needs and what the shared layer already guarantees:

- a stable, readable ``operationId`` per operation (``get_session_item``),
  derived from the view's name unless the view sets one with ``@blp.doc``;
- parameter errors documented as they are answered: query, path and header
  errors are 400 (``shared.problems``), only body errors are 422;
- ``required`` on response schemas: a schema only ever used in responses is
  always dumped with every field, so each is required – except fields a view may
  leave out, marked ``metadata={"optional": True}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from apispec import APISpec, BasePlugin
from apispec.ext.marshmallow.common import resolve_schema_instance

OPTIONAL = "optional"
_SCHEMA_REF = "#/components/schemas/"
_RESPONSE_REF = "#/components/responses/"
_METHODS = ("get", "put", "post", "patch", "delete", "head", "options")


def operation_id(endpoint: str, method: str) -> str:
    """``get_session_item`` for the ``sessions.SessionItem`` view's GET."""
    view = endpoint.rsplit(".", 1)[-1]
    return f"{method.lower()}_{re.sub(r'(?<!^)(?=[A-Z])', '_', view).lower()}"


class ContractPlugin(BasePlugin):
    """apispec plugin: operation ids, parameter errors as 400, optional response fields."""

    def __init__(self) -> None:
        self.optional: dict[str, set[str]] = {}
        self._seen_ids: dict[str, str] = {}

    def schema_helper(self, name: str, definition: dict, **kwargs: Any) -> None:
        """Remember which fields of the schema ``name`` a response may leave out."""
        schema = kwargs.get("schema")
        if schema is None:
            return None
        fields = resolve_schema_instance(schema).fields
        self.optional[name] = {field.data_key or key for key, field in fields.items()
                               if field.metadata.get(OPTIONAL) or field.load_only}
        return None

    def operation_helper(self, path: str | None = None, operations: dict | None = None,
                         **kwargs: Any) -> None:
        """Name each operation and document its parameter errors as 400."""
        rule = kwargs.get("rule")
        for method, operation in (operations or {}).items():
            if method not in _METHODS:
                continue
            if rule is not None:
                operation.setdefault("operationId", operation_id(rule.endpoint, method))
            self._claim(operation.get("operationId"), f"{method.upper()} {path}")
            _document_parameter_errors(operation)

    def _claim(self, op_id: str | None, where: str) -> None:
        # Generated clients name a function per operationId: two alike would clash.
        if op_id is None:
            return
        owner = self._seen_ids.setdefault(op_id, where)
        if owner != where:
            raise ValueError(f"operationId {op_id!r} of {where} is taken by {owner}: "
                             "name one of them with @blp.doc(operationId=...)")


def _document_parameter_errors(operation: dict) -> None:
    # flask-smorest documents 422 for every @arguments; shared.problems answers 422 for
    # bodies only and 400 for query, path and header parameters.
    responses = operation.get("responses", {})
    codes = {str(code): code for code in responses}
    if "422" not in codes:
        return
    if any(isinstance(p, dict) and p.get("in") in {"query", "header", "path"}
           for p in operation.get("parameters", [])) and "400" not in codes:
        responses[400] = "BAD_REQUEST"
    if "requestBody" not in operation:
        del responses[codes["422"]]


def mark_response_fields_required(spec: APISpec, plugin: ContractPlugin) -> None:
    """Make every field of response-only schemas required, bar those marked optional.

    Call once every blueprint is registered. A schema that requests also use is left
    alone: its ``required`` already says what a request must carry.
    """
    schemas = spec.components.schemas
    # The error body is a response schema even before any operation refers to it.
    requests, responses = set(), {"Problem"} & set(schemas)
    for operation in _operations(spec):
        requests |= _reachable(spec, [operation.get("requestBody"), operation.get("parameters")])
        responses |= _reachable(spec, [operation.get("responses")])
    for name in sorted(responses - requests):
        schema = schemas[name]
        properties = schema.get("properties", {})
        required = [p for p in properties if p not in plugin.optional.get(name, set())]
        if required:
            schema["required"] = sorted(set(schema.get("required", [])) | set(required))


def _operations(spec: APISpec) -> Iterator[dict]:
    for item in spec._paths.values():
        for method, operation in item.items():
            if method in _METHODS:
                yield operation


def _reachable(spec: APISpec, roots: list[Any]) -> set[str]:
    """Names of the component schemas ``roots`` refer to, directly or through others."""
    found: set[str] = set()
    pending = list(roots)
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(_SCHEMA_REF):
                name = ref[len(_SCHEMA_REF):]
                if name not in found:
                    found.add(name)
                    pending.append(spec.components.schemas.get(name))
            elif isinstance(ref, str) and ref.startswith(_RESPONSE_REF):
                pending.append(spec.components.responses.get(ref[len(_RESPONSE_REF):]))
            pending.extend(v for k, v in node.items() if k != "$ref")
    return found
