"""Funds and their ledgers."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from services.sponsorship import lifecycle
from services.sponsorship.models.funds import TRANSACTION_KINDS, UNITS
from services.sponsorship.rules import MAX_IDR
from shared.fields import Trimmed, bounded_int, text
from shared.pages import PageArgs, decode_token, page_of


def _reference() -> Trimmed:
    return Trimmed(required=True, validate=validate.Length(3, 100), metadata={
        "description": "the business fact behind the movement (budget document, transfer "
                       "reference): the same reference books once"})


class DepositIn(Schema):
    """Money (rupiah) or seats added to a fund."""

    amount = bounded_int(1, MAX_IDR, required=True, metadata={"description": "in the fund's unit"})
    reference = _reference()
    reason = text(0, 500, load_default=None, allow_none=True)


class AdjustmentIn(Schema):
    """A correction, up (positive) or down (negative), with its reason."""

    amount = bounded_int(-MAX_IDR, MAX_IDR, required=True,
                         metadata={"description": "in the fund's unit; never 0"})
    reference = _reference()
    reason = text(3, 500, required=True)

    @validates_schema
    def _not_zero(self, data: dict, **_: Any) -> None:
        if data.get("amount") == 0:
            raise ValidationError("an adjustment changes something", "amount")


class FundIn(Schema):
    """A new fund of the sponsor."""

    name = text(3, 200, required=True)
    unit = fields.String(required=True, validate=validate.OneOf(UNITS), metadata={
        "description": "IDR: a budget in rupiah; seats: a number of participants"})
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True)
    initial_deposit = fields.Nested(DepositIn, metadata={"description": "booked with the fund"})

    @validates_schema
    def _window(self, data: dict, **_: Any) -> None:
        if data.get("valid_from") and data.get("valid_until") \
                and data["valid_until"] < data["valid_from"]:
            raise ValidationError("must not be before valid_from", "valid_until")


class BalanceOut(Schema):
    """A fund's figures in its unit, computed from its ledger."""

    deposited = fields.Integer()
    adjusted = fields.Integer()
    reserved = fields.Integer()
    committed = fields.Integer()
    available = fields.Integer()


class FundOut(Schema):
    """A fund and its balance."""

    id = fields.String()
    sponsor_id = fields.String()
    name = fields.String()
    unit = fields.String()
    valid_from = fields.Date()
    valid_until = fields.Date()
    status = fields.String(validate=validate.OneOf(lifecycle.FUND.states))
    closed_reason = fields.String(allow_none=True)
    balance = fields.Nested(BalanceOut)
    created_at = fields.AwareDateTime()


FundPage = page_of(FundOut, "FundPage", "One page of funds, newest first.")


class FundListArgs(PageArgs):
    """Filter by state."""

    status = fields.String(validate=validate.OneOf(lifecycle.FUND.states))


class TransactionOut(Schema):
    """One ledger row (never edited: corrections are new rows)."""

    id = fields.Integer()
    fund_id = fields.String()
    kind = fields.String(validate=validate.OneOf(TRANSACTION_KINDS))
    amount = fields.Integer()
    idempotency_key = fields.String()
    reservation_id = fields.String(allow_none=True)
    sme_id = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.AwareDateTime()


TransactionPage = page_of(TransactionOut, "TransactionPage",
                          "One page of a fund's ledger, newest row first.")


class TransactionListArgs(Schema):
    """Page size, cursor, kind (errors → 400)."""

    class Meta:
        unknown = RAISE

    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    cursor = fields.String(validate=validate.Length(1, 100), metadata={
        "pattern": r"^[A-Za-z0-9_-]+$", "description": "opaque: next_cursor of the last page"})
    kind = fields.String(validate=validate.OneOf(TRANSACTION_KINDS))

    @post_load
    def _decode(self, data: dict, **_: Any) -> dict:
        if "cursor" in data:
            try:
                (row_id,) = decode_token(data["cursor"], 1)
            except ValueError as exc:
                raise ValidationError(str(exc), "cursor") from exc
            if not isinstance(row_id, int) or isinstance(row_id, bool) or row_id < 1:
                raise ValidationError("not a valid cursor", "cursor")
            data["cursor"] = row_id
        return data
