"""Keyset pagination: opaque cursor tokens, and lists newest first.

A cursor carries the sort key and id of a page's last row; the next page starts
strictly after it, so rows created between two requests never shift a page:
nothing is skipped or repeated. :func:`encode_token` / :func:`decode_token` make
the opaque token of any such cursor (a search with its own sort keys uses them);
:func:`newest_first` pages any model with ``created_at`` and ``id``.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import json
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate
from sqlalchemy import Select, literal, tuple_
from sqlalchemy.orm import Session

from shared.db import UtcDateTime


def encode_token(values: list[Any]) -> str:
    """``values`` (JSON) as an opaque, URL-safe token."""
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, length: int) -> list[Any]:
    """The ``length`` values of a token from :func:`encode_token` (``ValueError`` if not)."""
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ValueError("not a valid cursor") from exc
    if not isinstance(values, list) or len(values) != length:
        raise ValueError("not a valid cursor")
    return values


@dataclasses.dataclass(frozen=True)
class Cursor:
    """Where a page ends: that row's creation time and id."""

    created_at: dt.datetime
    id: str

    def encode(self) -> str:
        """The opaque token handed to clients."""
        return encode_token([self.created_at.isoformat(), self.id])

    @classmethod
    def decode(cls, token: str) -> Cursor:
        """Parse a token (``ValueError`` if it is not one of ours)."""
        created, id_ = decode_token(token, 2)
        try:
            created_at = dt.datetime.fromisoformat(created)
        except (ValueError, TypeError) as exc:
            raise ValueError("not a valid cursor") from exc
        if not isinstance(id_, str) or not id_ or created_at.tzinfo is None:
            raise ValueError("not a valid cursor")
        return cls(created_at, id_)


def newest_first(session: Session, query: Select, model: Any,
                 args: dict[str, Any]) -> dict[str, Any]:
    """One page of ``query``'s ``model`` rows by (created_at, id) descending."""
    limit = args.get("limit", 20)
    cursor: Cursor | None = args.get("cursor")
    if cursor is not None:
        query = query.where(tuple_(model.created_at, model.id)
                            < tuple_(literal(cursor.created_at, UtcDateTime()),
                                     literal(cursor.id)))
    rows = list(session.scalars(query.order_by(model.created_at.desc(), model.id.desc())
                                .limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = Cursor(rows[-1].created_at, rows[-1].id).encode()
    return {"items": rows, "next_cursor": next_cursor, "limit": limit}


class PageArgs(Schema):
    """Page size and the cursor from the previous page (errors → 400), for ``newest_first``."""

    class Meta:
        unknown = RAISE

    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))
    cursor = fields.String(validate=validate.Length(1, 200), metadata={
        "pattern": r"^[A-Za-z0-9_-]+$",
        "description": "opaque: the next_cursor of the previous page"})

    @staticmethod
    def decode_cursor(token: str) -> Any:
        """The cursor ``token`` stands for (``ValueError`` if it is not one of ours).

        A list sorted on keys of its own overrides this with its own decoding.
        """
        return Cursor.decode(token)

    @post_load
    def _decode_cursor(self, data, **_kwargs):
        if "cursor" in data:
            try:
                data["cursor"] = self.decode_cursor(data["cursor"])
            except ValueError as exc:
                raise ValidationError(str(exc), field_name="cursor") from exc
        return data


def page_of(item: type[Schema], name: str, doc: str) -> type[Schema]:
    """The response schema of one page of ``item``: ``items``, ``next_cursor``, ``limit``.

    ``next_cursor`` is null on the last page; pass it as ``cursor`` for the next.
    """
    return type(name, (Schema,), {
        "__doc__": doc,
        "items": fields.List(fields.Nested(item)),
        "next_cursor": fields.String(allow_none=True, metadata={
            "description": "null on the last page; pass it as cursor for the next"}),
        "limit": fields.Integer()})
