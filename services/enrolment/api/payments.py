"""Payments: card checkouts, bank transfer invoices, receipts and refunds; Stripe's webhook.

The webhook is public (Stripe signs it; no token, no Idempotency-Key) and reads
its raw body itself: no schema parses it, so the shared input guard's media-type
check does not apply, and whatever the guard still refuses is answered 400 here.
"""

from __future__ import annotations

from flask import Response, current_app, render_template, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from services.enrolment.api import current_policy
from services.enrolment.payments import Payments
from services.enrolment.schemas.payments import (
    CheckoutOut,
    InvoiceListArgs,
    InvoiceOut,
    InvoicePage,
    PaymentOut,
    ReceiptIn,
    RefundPaidIn,
    WebhookReceipt,
)
from services.enrolment.service import bank, checkout, payment_reads, refunds, webhooks
from services.enrolment.sponsorship import Sponsorship
from shared.auth import require_principal, roles_required
from shared.errors import problem
from shared.idempotency import idempotent
from shared.inputs import RefusedInput
from shared.money import format_idr
from shared.problems import problem_response
from shared.web import current_db

blp = Blueprint("payments", __name__, description="Payments: card checkout, bank transfer "
                "invoices, receipts and refunds.")
webhook_blp = Blueprint("stripe_webhooks", __name__, description="Stripe's webhook (signed).")

READERS = ("sme_user", "provider_staff", "ilo_auditor", "platform_admin")
HTML = {"200": {"description": "an HTML page", "content": {"text/html": {
    "schema": {"type": "string"}}}}}


def current_payments() -> Payments:
    """The payments (settings, gateways) of the app handling this request."""
    return current_app.extensions["enrolment_payments"]


def current_sponsorship() -> Sponsorship:
    """The sponsorship quotes of the app handling this request."""
    return current_app.extensions["enrolment_sponsorship"]


# Both ways to pay answer the same when sponsors cover everything.
NOTHING_TO_PAY = ("Nothing to pay: sponsors cover the whole price (or the session is "
                  "free), so the enrolment is "
                  "confirmed at once (its seats are kept) and no checkout or invoice is "
                  "made. No body; ``Location`` is the enrolment, whose ``sponsor_share``, "
                  "``sme_share`` (0) and ``reservation_id`` say who pays. Asked again, the "
                  "same answer.")


@blp.route("/enrolments/<enrolment_id>/checkout")
class Checkout(MethodView):
    """Card payment."""

    @roles_required("sme_user")
    @idempotent(blp)
    @blp.response(201, CheckoutOut)
    @blp.alt_response(200, schema=CheckoutOut, description="the checkout already open")
    @blp.alt_response(204, description=NOTHING_TO_PAY,
                      headers={"Location": {"description": "the enrolment",
                                            "schema": {"type": "string"}}})
    def post(self, enrolment_id):
        """Open a card checkout for your held enrolment (it expires with the seat hold).

        It charges your SME's share: first the sponsorship service quotes what sponsors
        pay (``sponsor_share``, reserved under ``reservation_id``). When sponsorship does
        not answer in time, fails, or does not know your SME or the session yet, you pay
        the full price. When sponsors pay everything, or the session is free:
        204, confirmed (nothing to pay).
        """
        started = checkout.start_checkout(
            current_db(), require_principal(), enrolment_id, current_policy(),
            current_payments(), sponsorship=current_sponsorship(),
            authorization=request.headers.get("Authorization"))
        if started.payment is None:
            return _nothing_to_pay(enrolment_id)
        body = {"checkout_url": started.payment.checkout_url, "payment": started.payment}
        return body, 201 if started.created else 200


@blp.route("/enrolments/<enrolment_id>/invoice")
class Invoice(MethodView):
    """Bank transfer."""

    @roles_required("sme_user")
    @idempotent(blp)
    @blp.response(201, PaymentOut)
    @blp.alt_response(200, schema=PaymentOut, description="the invoice already open")
    @blp.alt_response(204, description=NOTHING_TO_PAY,
                      headers={"Location": {"description": "the enrolment",
                                            "schema": {"type": "string"}}})
    def post(self, enrolment_id):
        """Pay by bank transfer: an invoice with a payment reference and a due date.

        The seat hold lasts to the end of the due date (Jakarta time); the due date is
        never after the enrolment deadline. An open card checkout is closed first.
        The invoice bills your SME's share, quoted by sponsorship as for a card checkout
        (the same reservation, kept until the due date; the full price when sponsorship
        does not answer). When sponsors pay everything, or the session is
        free: 204, confirmed (nothing to pay).
        """
        started = bank.create_invoice(
            current_db(), require_principal(), enrolment_id, current_policy(),
            current_payments(), sponsorship=current_sponsorship(),
            authorization=request.headers.get("Authorization"))
        if started.payment is None:
            return _nothing_to_pay(enrolment_id)
        headers = {"Location": url_for("payments.InvoiceItem", payment_id=started.payment.id)}
        return started.payment, 201 if started.created else 200, headers


def _nothing_to_pay(enrolment_id: str) -> Response:
    # 204, not 200 or 201: those already mean "the open payment" and "a new payment",
    # and a client must not mistake a confirmation for a payment to make.
    return Response(status=204, headers={
        "Location": url_for("enrolments.EnrolmentItem", enrolment_id=enrolment_id)})


@blp.route("/enrolments/<enrolment_id>/payments")
class EnrolmentPayments(MethodView):
    """An enrolment's payments."""

    @roles_required(*READERS)
    @blp.response(200, PaymentOut(many=True))
    def get(self, enrolment_id):
        """List an enrolment's payments, oldest first."""
        return payment_reads.list_payments(current_db(), require_principal(), enrolment_id)


@blp.route("/payments/<payment_id>")
class PaymentItem(MethodView):
    """One payment."""

    @roles_required(*READERS)
    @blp.response(200, PaymentOut)
    def get(self, payment_id):
        """Read a payment."""
        return payment_reads.get_payment(current_db(), require_principal(), payment_id)


@blp.route("/payments/<payment_id>/refund-paid")
class RefundPaid(MethodView):
    """A bank refund transferred."""

    @roles_required("provider_staff")
    @blp.arguments(RefundPaidIn)
    @blp.response(200, PaymentOut)
    def post(self, record, payment_id):
        """Record that you transferred a pending bank refund back to the SME."""
        return refunds.record_bank_refund(current_db(), require_principal(), payment_id, record)


@blp.route("/invoices/<payment_id>")
class InvoiceItem(MethodView):
    """One invoice."""

    @roles_required(*READERS)
    @blp.response(200, InvoiceOut)
    def get(self, payment_id):
        """Read an invoice with what it bills."""
        return _invoice_body(bank.get_invoice(current_db(), require_principal(), payment_id))


@blp.route("/providers/<provider_id>/invoices")
class ProviderInvoices(MethodView):
    """A provider's invoices."""

    @roles_required("provider_staff", "ilo_auditor", "platform_admin")
    @blp.arguments(InvoiceListArgs(), location="query", unknown=RAISE)
    @blp.response(200, InvoicePage)
    def get(self, args, provider_id):
        """List a provider's bank transfer invoices, newest first, with what each bills.

        ``status=pending``: the transfers its staff have still to confirm. Its
        provider's staff, auditors and admins.
        """
        page = bank.list_invoices(current_db(), require_principal(), provider_id, args)
        return {**page, "items": [_invoice_body(view) for view in page["items"]]}


@blp.route("/invoices/<payment_id>/print")
class PrintableInvoice(MethodView):
    """An invoice to print."""

    @roles_required(*READERS)
    @blp.doc(responses=HTML)
    def get(self, payment_id):
        """Read an invoice as a printable HTML page (Bahasa Indonesia and English)."""
        view = bank.get_invoice(current_db(), require_principal(), payment_id)
        # What the invoice leaves out of participants × price: the sponsors' share.
        sponsored = view.enrolment.amount_due - view.payment.amount
        return render_template("payments/invoice.html", invoice=view,
                               amount_id=format_idr(view.payment.amount, "id"),
                               amount_en=format_idr(view.payment.amount, "en"),
                               price_id=format_idr(view.enrolment.price_per_participant, "id"),
                               sponsored_id=format_idr(sponsored, "id") if sponsored > 0
                               else None)


@blp.route("/invoices/<payment_id>/confirm")
class ConfirmInvoice(MethodView):
    """A transfer received."""

    @roles_required("provider_staff")
    @blp.arguments(ReceiptIn)
    @blp.response(200, PaymentOut)
    def post(self, receipt, payment_id):
        """Confirm that the SME's transfer arrived: paid, and the enrolment confirmed.

        The amount received must be at least the amount due (422 otherwise).
        """
        return bank.confirm_receipt(current_db(), require_principal(), payment_id, receipt,
                                    current_payments())


STRIPE_EVENT = {"type": "object", "required": ["id", "type", "data"], "properties": {
    "id": {"type": "string"}, "object": {"type": "string", "enum": ["event"]},
    "type": {"type": "string"}, "data": {"type": "object", "required": ["object"],
                                         "properties": {"object": {"type": "object"}}}}}


@webhook_blp.errorhandler(RefusedInput)
def _refused_input(error: RefusedInput):
    # Whatever the shared guard refuses (a 415, a NUL character) is, for a webhook,
    # just a delivery that is no Stripe event: 400 like every other.
    return problem_response(problem(400, "Invalid webhook", error.detail, "invalid-webhook",
                                    error.errors), 400)


@webhook_blp.route("/webhooks/stripe")
class StripeWebhook(MethodView):
    """Stripe's events."""

    @webhook_blp.doc(requestBody={"required": True, "content": {
        "application/json": {"schema": STRIPE_EVENT}}}, parameters=[{
            "in": "header", "name": "Stripe-Signature", "required": True,
            "schema": {"type": "string"},
            "description": "t=<timestamp>,v1=<HMAC-SHA256 of '<t>.<body>'> (Stripe's scheme)"}])
    @webhook_blp.response(200, WebhookReceipt)
    @webhook_blp.alt_response(400, response="BAD_REQUEST")
    def post(self):
        """Receive a Stripe event (verified on the raw body; stored once, then applied).

        A missing, wrong or stale (over 300 s) signature, or a body that is no Stripe
        event, is a 400 and nothing is stored. A replayed event answers 200 and
        changes nothing.
        """
        outcome = webhooks.receive(current_db(), request.get_data(cache=True),
                                   request.headers.get("Stripe-Signature"), current_payments())
        return {"received": True, "outcome": outcome}


def _invoice_body(view: bank.InvoiceView) -> dict:
    payment, enrolment = view.payment, view.enrolment
    fields = {name: getattr(payment, name) for name in PaymentOut._declared_fields}
    return {**fields, "participants": enrolment.participants_count,
            "price_per_participant": enrolment.price_per_participant,
            "amount_text_id": format_idr(payment.amount, "id"),
            "amount_text_en": format_idr(payment.amount, "en"),
            "session": view.offered, "sme": view.sme}
