"""Payment schemas: checkouts, invoices, receipts, refunds and webhook receipts."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.enrolment import lifecycle
from shared.fields import bounded_int, text
from shared.pages import PageArgs, page_of

MAX_RUPIAH = 10**13  # far above any training fee; keeps the column and Stripe's ×100 safe


class PaymentOut(Schema):
    """A payment: a card checkout or a bank transfer invoice, and its refund."""

    id = fields.String()
    enrolment_id = fields.String()
    provider_id = fields.String()
    method = fields.String(metadata={"enum": ["card", "bank_transfer"]})
    gateway = fields.String(metadata={"description": "stripe, sandbox or bank"})
    status = fields.String(metadata={
        "enum": ["pending", "paid", "refund_pending", "refunded", "failed"]})
    amount = fields.Integer(metadata={"description": "whole rupiah (the SME's share)"})
    currency = fields.String()
    checkout_url = fields.String(allow_none=True, metadata={
        "description": "card: where the SME pays"})
    destination_account = fields.String(allow_none=True, metadata={
        "description": "card, destination charge: the provider's Stripe connected account "
                       "the money went to"})
    application_fee = fields.Integer(allow_none=True, metadata={
        "description": "card, destination charge: the platform fee Stripe kept (rupiah)"})
    invoice_number = fields.String(allow_none=True)
    payment_reference = fields.String(allow_none=True, metadata={
        "description": "bank transfer: to write on the transfer (with check digits)"})
    due_date = fields.Date(allow_none=True)
    received_amount = fields.Integer(allow_none=True)
    received_on = fields.Date(allow_none=True)
    bank_reference = fields.String(allow_none=True)
    refund_amount = fields.Integer(allow_none=True)
    refund_reason = fields.String(allow_none=True)
    refunded_on = fields.Date(allow_none=True)
    failure_reason = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    paid_at = fields.AwareDateTime(allow_none=True)
    refunded_at = fields.AwareDateTime(allow_none=True)


class CheckoutOut(Schema):
    """A card checkout opened for an enrolment: send the SME's browser to ``checkout_url``."""

    checkout_url = fields.String()
    payment = fields.Nested(PaymentOut)


class InvoiceSession(Schema):
    """The session an invoice bills."""

    id = fields.String()
    module_code = fields.String()
    title_id = fields.String()
    title_en = fields.String()
    city = fields.String()
    start_date = fields.Date()
    end_date = fields.Date()


class InvoiceSme(Schema):
    """The billed enterprise."""

    id = fields.String()
    legal_name = fields.String()
    npwp = fields.String(allow_none=True)
    address = fields.String()
    city = fields.String()


class InvoiceOut(PaymentOut):
    """A bank transfer invoice with what it bills."""

    participants = fields.Integer()
    price_per_participant = fields.Integer()
    amount_text_id = fields.String(metadata={"description": "the amount in Bahasa Indonesia"})
    amount_text_en = fields.String()
    session = fields.Nested(InvoiceSession)
    sme = fields.Nested(InvoiceSme)


InvoicePage = page_of(InvoiceOut, "InvoicePage", "One page of invoices, newest first.")


class InvoiceListArgs(PageArgs):
    """Filter of a provider's bank transfer invoices."""

    status = fields.String(validate=validate.OneOf(lifecycle.PAYMENT.states), metadata={
        "description": "pending: transfers the provider has still to confirm"})


class ReceiptIn(Schema):
    """A transfer the provider received for an invoice."""

    amount_received = bounded_int(1, MAX_RUPIAH, required=True, metadata={
        "description": "whole rupiah; at least the amount due"})
    received_on = fields.Date(required=True, metadata={"description": "not in the future"})
    bank_reference = text(1, 100, required=True, metadata={
        "description": "the bank's reference of the transfer"})


class RefundPaidIn(Schema):
    """A bank refund the provider transferred back to the SME."""

    refunded_on = fields.Date(required=True, metadata={"description": "not in the future"})
    bank_reference = text(1, 100, required=True)


class WebhookReceipt(Schema):
    """The webhook was verified and stored (or had been: a duplicate)."""

    received = fields.Boolean()
    outcome = fields.String(metadata={"description": "what the event did (for logs)"})
