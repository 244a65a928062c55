"""Query-string schemas: session search, lists and their pagination (errors → 400).

Every parameter is checked: unknown names, malformed values, out-of-range
numbers, reversed ranges, unknown module or province codes and foreign
cursors are refused, never clamped or ignored.
"""

from __future__ import annotations

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from services.catalog import lifecycle, reference, rules
from services.catalog.schemas import MAX_PRICE, PROVINCE_CODE, Trimmed
from services.catalog.search import MAX_TERMS, SORTS, Cursor
from shared.web import current_db


def _sort_names(sorts) -> dict:
    # Names for generated clients' enums ("-price" is no identifier): PRICE_DESC.
    return {"x-enum-varnames": [s.lstrip("-").upper() + ("_DESC" if s[0] == "-" else "")
                                for s in sorts]}


class StrictQuery(Schema):
    """Query strings refuse unknown parameters (a typo must not silently widen a result)."""

    class Meta:
        unknown = RAISE


class ProviderListArgs(StrictQuery):
    """Filter of the provider list (non-approved: auditors and admins)."""

    status = fields.String(load_default="approved",
                           validate=validate.OneOf(lifecycle.PROVIDER.states))


class CourseListArgs(StrictQuery):
    """Filter of a provider's courses (drafts: its staff and auditors)."""

    status = fields.String(validate=validate.OneOf(lifecycle.COURSE.states))


class PageArgs(StrictQuery):
    """Sort order, page size and the cursor from the previous page."""

    sort = fields.String(load_default="date", validate=validate.OneOf(list(SORTS)),
                         metadata={"description": "date, -date, price or -price",
                                   **_sort_names(SORTS)})
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))
    cursor = fields.String(validate=validate.Length(1, 400), metadata={
        "pattern": r"^[A-Za-z0-9_-]+$",
        "description": "opaque: the next_cursor of the previous page, with the same sort"})

    @post_load
    def _decode_cursor(self, data, **_kwargs):
        if "cursor" in data:
            try:
                data["cursor"] = Cursor.decode(data["cursor"])
            except ValueError as exc:
                raise ValidationError(str(exc), field_name="cursor") from exc
            if data["cursor"].sort != data["sort"]:
                raise ValidationError("the cursor belongs to another sort order",
                                      field_name="cursor")
        return data


class ProviderSessionArgs(PageArgs):
    """A provider's sessions (drafts: its staff and auditors)."""

    status = fields.String(validate=validate.OneOf(lifecycle.SESSION.states))
    sort = fields.String(load_default="date", validate=validate.OneOf(["date", "-date"]),
                         metadata=_sort_names(["date", "-date"]))


class SessionSearchArgs(PageArgs):
    """Public session search: every filter optional, all combined with AND."""

    q = Trimmed(validate=validate.Length(2, 100),
                metadata={"description": "words in course title or description (id, en)"})
    module = Trimmed(validate=validate.Length(2, 4),
                     metadata={"pattern": r"^[Mm][1-5]$", "description": "M1 to M5"})
    province = Trimmed(validate=validate.Length(2, 5), metadata=PROVINCE_CODE)
    city = Trimmed(validate=validate.Length(2, 100))
    date_from = fields.Date(metadata={"description": "starts on or after"})
    date_to = fields.Date(metadata={"description": "starts on or before"})
    language = fields.String(validate=validate.OneOf(rules.LANGUAGES))
    price_min = fields.Integer(validate=validate.Range(0, MAX_PRICE))
    price_max = fields.Integer(validate=validate.Range(0, MAX_PRICE))
    provider = Trimmed(validate=validate.Length(1, 36))
    # The query string says true or false (not 1, yes, on...), as the document does.
    has_free_seats = fields.Boolean(truthy={"true"}, falsy={"false"})

    @validates_schema
    def _ranges(self, data, **_kwargs):
        errors = {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            errors["date_to"] = ["must be on or after date_from"]
        if data.get("price_max", MAX_PRICE) < data.get("price_min", 0):
            errors["price_max"] = ["must be at least price_min"]
        if len(data.get("q", "").split()) > MAX_TERMS:
            errors["q"] = [f"at most {MAX_TERMS} words"]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _reference_codes(self, data, **_kwargs):
        codes = reference.codes(current_db())
        errors = {}
        if "module" in data:
            data["module"] = data["module"].upper()
            if data["module"] not in codes.modules:
                errors["module"] = [f"unknown module; one of {', '.join(sorted(codes.modules))}"]
        if "province" in data:
            data["province"] = codes.province(data["province"])
            if data["province"] is None:
                errors["province"] = ["unknown province code"]
        if errors:
            raise ValidationError(errors)
        return data
