"""Settlement statement schemas: the month in the path, the statement, its lines, payments."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates

from services.enrolment import ledger, lifecycle
from services.enrolment.ledger import Month
from services.enrolment.schemas.enrolments import PageArgs
from shared import clock
from shared.fields import Trimmed, text

MONTH = {"pattern": ledger.MONTH_PATTERN,
         "description": "a Jakarta calendar month, YYYY-MM (2000-01 up to the current month)"}
STATUSES = ("open", *lifecycle.STATEMENT.states)


def load_month(value: str) -> Month:
    """A month a statement can be asked for: a real one, not after the current one."""
    try:
        month = Month.parse(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    if month > Month.of(clock.now()):
        raise ValidationError("the month has not begun (Jakarta time)")
    return month


class StatementPath(Schema):
    """A provider's month (errors → 400 naming the parameter)."""

    provider_id = fields.String(required=True, validate=validate.Length(1, 36))
    month = fields.String(required=True, metadata=MONTH)

    @validates("month")
    def _month(self, value: str, **_kwargs) -> None:
        load_month(value)


class StatementArgs(Schema):
    """How to answer: JSON (default) or CSV."""

    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")),
                           metadata={"description": "csv: text/csv, one row per line, then "
                                                    "one row per total"})


class StatementListArgs(PageArgs):
    """Filters of issued statements (all combine with AND)."""

    provider_id = Trimmed(validate=validate.Length(1, 36))
    month = fields.String(validate=validate.Regexp(ledger.MONTH_PATTERN), metadata=MONTH)
    status = fields.String(validate=validate.OneOf(lifecycle.STATEMENT.states))


class StatementLineOut(Schema):
    """One money movement of the month (amount signed: − money given back)."""

    kind = fields.String(metadata={"enum": list(ledger.KINDS)})
    source_id = fields.String(metadata={"description": "the payment, or the enrolment of a "
                                                       "sponsor line"})
    enrolment_id = fields.String()
    booked_at = fields.AwareDateTime(metadata={"description": "when SCORE recorded it"})
    reference = fields.String(allow_none=True, metadata={
        "description": "invoice number, Stripe id or bank reference"})
    amount = fields.Integer(metadata={"description": "whole rupiah, signed"})
    platform_cash = fields.Boolean(metadata={
        "description": "the money moved through the platform's account (false: the "
                       "provider's own, by bank transfer or a destination charge)"})
    fee = fields.Integer(metadata={"description": "the platform fee of the line, signed"})
    fee_withheld = fields.Integer(allow_none=True, metadata={
        "description": "a destination charge: the fee Stripe already kept"})


class StatementOut(Schema):
    """A provider's month: computed now (``open``) or as issued (frozen)."""

    id = fields.String(allow_none=True, metadata={"description": "null until issued"})
    provider_id = fields.String()
    provider_name = fields.String(allow_none=True)
    month = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    currency = fields.String()
    fee_percent = fields.Decimal(as_string=True, metadata={
        "description": "the platform fee (SCORE_ENROLMENT_PLATFORM_FEE_PERCENT when computed; "
                       "as of issue once issued)"})
    card_collected = fields.Integer(metadata={"description": "card payments, gross"})
    card_collected_direct = fields.Integer(metadata={
        "description": "of which destination charges (paid to the provider by Stripe)"})
    card_refunded = fields.Integer()
    bank_received = fields.Integer(metadata={"description": "transfers the provider received"})
    bank_refunded = fields.Integer()
    sponsor_committed = fields.Integer()
    sponsor_reversed = fields.Integer()
    platform_cash = fields.Integer(metadata={"description": "net money through the platform"})
    fee = fields.Integer(metadata={"description": "platform fee, sum of the lines' fees"})
    fee_withheld = fields.Integer(metadata={"description": "fees Stripe already kept"})
    net_payable = fields.Integer(metadata={
        "description": "platform_cash − (fee − fee_withheld): what the platform owes the "
                       "provider; negative: what the provider owes the platform"})
    issued_at = fields.AwareDateTime(allow_none=True)
    issued_by = fields.String(allow_none=True)
    paid_on = fields.Date(allow_none=True)
    bank_reference = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(StatementLineOut))


class StatementPage(Schema):
    """One page of issued statements, newest first; pass ``next_cursor`` as ``cursor``."""

    items = fields.List(fields.Nested(StatementOut))
    next_cursor = fields.String(allow_none=True)
    limit = fields.Integer()


class StatementPaidIn(Schema):
    """The bank transfer that settled an issued statement's net payable."""

    paid_on = fields.Date(required=True, metadata={
        "description": "the transfer's date: after the month, not in the future"})
    bank_reference = text(1, 100, allow_none=True, load_default=None, metadata={
        "description": "the transfer's bank reference; required unless the net payable is 0 "
                       "(then there is no transfer)"})
