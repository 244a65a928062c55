"""Schemas of enterprise KPIs: definitions, reports (append-only versions), the SME's report."""

from __future__ import annotations

import re
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate

from shared.fields import Trimmed, text

# Up to 10 digits before the point and 4 after: exact on PostgreSQL's NUMERIC(20, 4)
# and on SQLite, whose REAL keeps 15 significant digits.
VALUE_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,4})?$"


class DecimalValue(Trimmed):
    """A non-negative decimal number as a string (``"12.5"``), never a float."""

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:  # type: ignore[override]
        number = super()._deserialize(value, attr, data, **kwargs)
        if not re.fullmatch(VALUE_PATTERN, number):
            raise ValidationError("a decimal number as a string: up to 10 digits and 4 "
                                  "decimals, e.g. \"12.5\"")
        return Decimal(number)


class PlainDecimal(fields.String):
    """A decimal as a plain string without trailing zeros (``"12.5"``, ``"-20"``)."""

    def _serialize(self, value, attr, obj, **kwargs) -> str | None:
        if value is None:
            return None
        plain = format(Decimal(value).normalize(), "f")
        return "0" if plain == "-0" else plain


class KpiDefinitionOut(Schema):
    """A KPI the marketplace tracks (configuration)."""

    code = fields.String()
    name_id = fields.String()
    name_en = fields.String()
    unit = fields.String()
    direction = fields.String(metadata={"description": "higher_is_better or lower_is_better"})


class KpiDefinitionsOut(Schema):
    """Every KPI definition."""

    items = fields.List(fields.Nested(KpiDefinitionOut))


class KpiReportIn(Schema):
    """A KPI value of an SME over a period – or a correction of an earlier report."""

    kpi = Trimmed(required=True, validate=validate.Length(1, 40),
                  metadata={"description": "a code GET /kpis lists", "example": "productivity"})
    kind = fields.String(required=True, validate=validate.OneOf(("baseline", "follow_up")),
                         metadata={"description": "one baseline per KPI, measured before the "
                                                  "SME's first session starts"})
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True, metadata={
        "description": "on or after period_start, not in the future"})
    method = text(3, 500, required=True, metadata={
        "description": "how the value was measured", "example": "payroll records, 3 months"})
    value = DecimalValue(required=True, metadata={
        "description": "a decimal number as a string: up to 10 digits, 4 decimals",
        "pattern": VALUE_PATTERN, "example": "12.5"})
    note = text(1, 1000, load_default=None, allow_none=True)
    corrects = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(1, 36), metadata={
                                 "description": "the report this one corrects: the latest "
                                                "version of its chain, same kpi and kind"})


class KpiReportOut(Schema):
    """One version of a KPI value, as reported."""

    id = fields.String()
    sme_id = fields.String()
    kpi = fields.String()
    kind = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    method = fields.String()
    value = PlainDecimal()
    version = fields.Integer()
    supersedes_id = fields.String(allow_none=True)
    superseded_by = fields.String(allow_none=True, metadata={
        "description": "the correction that replaced this report (null: current)"})
    note = fields.String(allow_none=True)
    reported_by = fields.String()
    reported_at = fields.AwareDateTime()


class KpiHistoryOut(Schema):
    """Every report of an SME, by KPI and time (corrections included)."""

    items = fields.List(fields.Nested(KpiReportOut))


class KpiSummaryOut(Schema):
    """One KPI of an SME: baseline against the latest follow-up."""

    kpi = fields.String()
    name_id = fields.String()
    name_en = fields.String()
    unit = fields.String()
    direction = fields.String()
    baseline = fields.Nested(KpiReportOut, allow_none=True)
    latest_follow_up = fields.Nested(KpiReportOut, allow_none=True)
    change = PlainDecimal(allow_none=True, metadata={
        "description": "latest follow-up minus baseline"})
    change_percent = PlainDecimal(allow_none=True, metadata={
        "description": "relative to the baseline (null when it is 0)"})
    improved = fields.Boolean(allow_none=True, metadata={
        "description": "moved in the KPI's better direction (null: unchanged or no data)"})


class KpiReportSummaryOut(Schema):
    """An SME's KPI report: every configured KPI, baseline against the latest follow-up."""

    sme_id = fields.String()
    kpis = fields.List(fields.Nested(KpiSummaryOut))
