"""Sponsors' reports: query parameters and the JSON answers (CSV has the same columns)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.fields import Trimmed

FORMATS = ("json", "csv")
INTERVALS = ("month", "week")


class ReportArgs(Schema):
    """Window, fund and format of a report (errors → 400; other parameters are ignored)."""

    start = fields.Date(data_key="from", metadata={
        "description": "first day counted (Jakarta, inclusive); default: the first day any "
                       "of the report's funds is valid (no funds: 1 January this year)"})
    end = fields.Date(data_key="to", metadata={
        "description": "last day counted (Jakarta, inclusive), not before from; default: "
                       "the last day any of the report's funds is valid (no funds: "
                       "31 December this year)"})
    fund_id = Trimmed(validate=validate.Length(1, 36), metadata={
        "description": "only this fund (one of the sponsor's funds)"})
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS), metadata={
        "description": "csv: the same figures as text/csv with a header row (a download)"})

    @validates_schema
    def _in_order(self, data: dict, **_: Any) -> None:
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError("must not be before from", "to")


class TimelineArgs(ReportArgs):
    """Window, fund, period length and format of a timeline (errors → 400)."""

    start = fields.Date(data_key="from", metadata={
        "description": "first day shown (Jakarta, inclusive); default: the day the first of "
                       "the report's funds opened, at most 120 months or 260 weeks back"})
    end = fields.Date(data_key="to", metadata={
        "description": "last day shown (Jakarta, inclusive), not before from, at most 120 "
                       "months or 260 weeks after it; default: today"})
    interval = fields.String(load_default="month", validate=validate.OneOf(INTERVALS),
                             metadata={"description": "month, or ISO week (from Monday)"})


def _count(description: str) -> fields.Integer:
    return fields.Integer(metadata={"description": description})


class MeasuresOut(Schema):
    """What the money bought: committed figures, then pending and reversed ones."""

    committed_amount = _count("rupiah the sponsor's lines of committed reservations pay")
    teams = _count("committed reservations (one enrolled team each)")
    smes = _count("distinct SMEs of those teams")
    seats = _count("participants the sponsor's lines pay for (a part-paid one counts; "
                   "never more than the team)")
    participants = _count("people in those teams, each team once")
    women = _count("women in those teams")
    men = _count("men in those teams")
    women_share_percent = fields.Float(allow_none=True, metadata={
        "description": "women of participants, one decimal (null: no participants)"})
    completed_teams = _count("committed teams whose enrolment completed (enrolment.completed)")
    completed_participants = _count("people in the completed teams")
    pending_teams = _count("reservations still reserved (checkout not yet paid)")
    pending_seats = _count("seats the pending reservations would pay for")
    pending_amount = _count("rupiah the pending reservations hold")
    reversed_teams = _count("committed reservations reversed (cancelled or refunded)")
    reversed_amount = _count("rupiah returned to the funds by those reversals")


class ReportRowOut(MeasuresOut):
    """The measures of one province, module, provider or size class."""

    key = fields.String(metadata={"description": "BPS province code, module code, provider "
                                                 "id or size class"})
    name = fields.String(allow_none=True, metadata={"description": "the province's name"})


class ReportOut(Schema):
    """What a sponsor's (or the market's) money bought in a window of days."""

    sponsor_id = fields.String(allow_none=True, metadata={"description": "null: the market"})
    fund_id = fields.String(allow_none=True)
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")
    currency = fields.String()
    totals = fields.Nested(MeasuresOut)
    by_province = fields.List(fields.Nested(ReportRowOut), metadata={
        "description": "by the SME's province"})
    by_module = fields.List(fields.Nested(ReportRowOut))
    by_provider = fields.List(fields.Nested(ReportRowOut))
    by_size_class = fields.List(fields.Nested(ReportRowOut), metadata={
        "description": "by the SME's size class"})


class TimelineRowOut(Schema):
    """One fund in one period, in the fund's unit (rupiah or seats)."""

    period = fields.String(metadata={"example": "2026-03", "description": "YYYY-MM or "
                                                                          "YYYY-Www"})
    start = fields.Date(metadata={"description": "first day of the period in the window"})
    end = fields.Date(metadata={"description": "last day of the period in the window"})
    fund_id = fields.String()
    fund_name = fields.String()
    unit = fields.String()
    commitments = _count("committed in the period")
    reversals = _count("reversed in the period")
    committed = _count("committed and not reversed at the period's end (so far, for a "
                       "period not yet over)")
    available = _count("what new reservations could take at the period's end (so far)")


class TimelineOut(Schema):
    """Commitments against the remaining balance, per period and fund."""

    sponsor_id = fields.String(allow_none=True, metadata={"description": "null: the market"})
    fund_id = fields.String(allow_none=True)
    interval = fields.String()
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")
    items = fields.List(fields.Nested(TimelineRowOut))
