"""Finding timestamps in JSON documents (responses, event payloads)."""

from __future__ import annotations

import re
from typing import Any

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_OFFSET = re.compile(r"(Z|[+-]\d{2}:\d{2})$")


def timestamps(document: Any, path: str = "") -> dict[str, str]:
    """Every date-time string in ``document`` by its path (``items[0].created_at``)."""
    if isinstance(document, str):
        return {path: document} if _TIMESTAMP.match(document) else {}
    if isinstance(document, dict):
        items = ((f"{path}.{k}" if path else str(k), v) for k, v in document.items())
    elif isinstance(document, list):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(document))
    else:
        return {}
    return {p: s for key, value in items for p, s in timestamps(value, key).items()}


def without_offset(document: Any) -> dict[str, str]:
    """The timestamps in ``document`` that carry no UTC offset (should be none)."""
    return {p: s for p, s in timestamps(document).items() if not _OFFSET.search(s)}
