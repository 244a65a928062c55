"""Schemas of ``/indicators`` and ``/productivity``: filters (errors → 400) and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.audit.indicators.periods import PERIOD_PATTERN

FORMATS = ("json", "csv")
SEQ_MAX = 2**62


class PlainDecimal(fields.String):
    """A decimal as a plain string (``"12.5"``, ``"3"``); JSON numbers would lose exactness."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        plain = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
        return "0" if plain == "-0" else plain


_DECIMAL = {"pattern": r"^-?[0-9]+(\.[0-9]+)?$"}


def _as_of() -> fields.Integer:
    return fields.Integer(strict=False, validate=validate.Range(0, SEQ_MAX), metadata={
        "description": "the log's seq the figures are as of (inclusive; default and beyond "
                       "the last entry: the last entry)"})


def _format() -> fields.String:
    return fields.String(load_default="json", validate=validate.OneOf(FORMATS), metadata={
        "description": "csv: the same rows as text/csv with a header row (a download)"})


def _province() -> fields.String:
    return fields.String(validate=validate.Regexp(r"^[0-9]{2}$"), metadata={
        "description": "BPS province code (two digits)", "example": "32"})


class IndicatorArgs(Schema):
    """Filters of the indicators (other parameters are ignored)."""

    as_of = _as_of()
    period = fields.String(validate=validate.Regexp(PERIOD_PATTERN), metadata={
        "description": "a year (2026) or a quarter (2026-Q3) of the events' time in Jakarta",
        "pattern": PERIOD_PATTERN})
    province = _province()
    format = _format()


class IndicatorOut(Schema):
    """One indicator: its value in the slice, its Phase III target and the progress."""

    code = fields.String(metadata={"description": "e.g. providers_independent"})
    unit = fields.String(metadata={"description": "count, percent or IDR"})
    value = PlainDecimal(allow_none=True, metadata={
        **_DECIMAL, "description": "null: undefined (a share of nothing) or not meaningful "
                                   "in a provider's slice"})
    target = PlainDecimal(allow_none=True, metadata={**_DECIMAL,
                                                     "description": "null: no target"})
    progress_percent = PlainDecimal(allow_none=True, metadata={
        **_DECIMAL, "description": "value ÷ target × 100, one decimal (null without both)"})


class IndicatorsOut(Schema):
    """Every indicator for the filters."""

    as_of = fields.Integer(allow_none=True, metadata={"description": "null: the log is empty"})
    period = fields.String(allow_none=True)
    province = fields.String(allow_none=True)
    provider_id = fields.String(allow_none=True, metadata={
        "description": "the provider whose slice this is (provider staff); null: all"})
    items = fields.List(fields.Nested(IndicatorOut))


class BreakdownArgs(Schema):
    """The indicators per province or per quarter, within the other filters."""

    by = fields.String(required=True, validate=validate.OneOf(("province", "period")),
                       metadata={"description": "province: one group per BPS province; "
                                                "period: one group per quarter (YYYY-Qn)"})
    as_of = _as_of()
    period = fields.String(validate=validate.Regexp(PERIOD_PATTERN), metadata={
        "description": "a year or a quarter (by=period: that year's quarters)",
        "pattern": PERIOD_PATTERN})
    province = _province()


class GroupOut(Schema):
    """One province's or quarter's indicators."""

    key = fields.String(metadata={"description": "the BPS province code or the quarter"})
    items = fields.List(fields.Nested(IndicatorOut))


class BreakdownOut(Schema):
    """Every indicator per group, for the groups the log has facts for, in key order."""

    as_of = fields.Integer(allow_none=True, metadata={"description": "null: the log is empty"})
    by = fields.String()
    period = fields.String(allow_none=True)
    province = fields.String(allow_none=True)
    provider_id = fields.String(allow_none=True, metadata={
        "description": "the provider whose slice this is (provider staff); null: all"})
    groups = fields.List(fields.Nested(GroupOut))


class ProductivityArgs(Schema):
    """Filters of the national productivity view (they choose cells, never regroup them)."""

    as_of = _as_of()
    sector = fields.String(validate=validate.Regexp(r"^[A-U?]$"), metadata={
        "description": "KBLI section letter (A–U)", "example": "C"})
    province = _province()
    kpi = fields.String(validate=validate.Length(1, 40), metadata={"example": "productivity"})
    format = _format()


class CellOut(Schema):
    """One sector × province × KPI cell (figures null when suppressed)."""

    sector = fields.String(metadata={"description": "KBLI section; empty in totals"})
    province = fields.String(metadata={"description": "BPS code; empty in totals"})
    kpi = fields.String()
    suppressed = fields.Boolean(metadata={"description": "fewer than min_enterprises"})
    enterprises = fields.Integer(allow_none=True)
    improved = fields.Integer(allow_none=True)
    worsened = fields.Integer(allow_none=True)
    unchanged = fields.Integer(allow_none=True)
    mean_change_percent = PlainDecimal(allow_none=True, metadata=_DECIMAL)
    median_change_percent = PlainDecimal(allow_none=True, metadata=_DECIMAL)


class ProductivityOut(Schema):
    """KPI changes from baseline to the latest follow-up, by KBLI sector and province."""

    as_of = fields.Integer(allow_none=True)
    min_enterprises = fields.Integer()
    cells = fields.List(fields.Nested(CellOut))
    totals = fields.List(fields.Nested(CellOut), metadata={
        "description": "per KPI, over published cells only (never over suppressed ones)"})
