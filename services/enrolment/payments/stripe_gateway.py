"""Stripe: hosted Checkout Sessions for card payments, refunds through the API.

When the provider has a Stripe connected account, the checkout is a *destination
charge*: ``payment_intent_data.transfer_data.destination`` is the account and
``payment_intent_data.application_fee_amount`` the platform fee Stripe keeps; the
rest reaches the provider without a statement. Refunds stay Stripe's default for
destination charges (taken from the platform's balance, the transfer not
reversed); the provider's statement charges them back (:mod:`services.enrolment.ledger`).

Stripe treats IDR as a two-decimal currency, so every amount goes out as rupiah
× 100 (:func:`shared.money.to_stripe_amount`). ``api_base`` points the client at
stripe-mock in tests; each request shape here is one stripe-mock accepts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import stripe

from services.enrolment.payments.gateway import (
    CheckoutClosed,
    CheckoutRef,
    CheckoutRequest,
    GatewayError,
    RefundRef,
    RefundTarget,
)
from shared.money import to_stripe_amount

if TYPE_CHECKING:
    from stripe.params.checkout import SessionCreateParams

# Retries reuse the request's idempotency key, so a retried call never acts twice.
NETWORK_RETRIES = 2


class StripeGateway:
    """The card gateway of production: Stripe's API through :class:`stripe.StripeClient`."""

    name = "stripe"

    def __init__(self, api_key: str, api_base: str | None = None) -> None:
        self._client = stripe.StripeClient(
            api_key, base_addresses={"api": api_base} if api_base else None,
            max_network_retries=NETWORK_RETRIES)

    def create_checkout(self, request: CheckoutRequest, idempotency_key: str) -> CheckoutRef:
        """A Checkout Session in payment mode, expiring with the enrolment's hold."""
        try:
            created = self._client.v1.checkout.sessions.create(
                cast("SessionCreateParams", checkout_params(request)),
                {"idempotency_key": idempotency_key})
        except stripe.StripeError as exc:
            raise GatewayError(f"Stripe refused the checkout: {_message(exc)}") from exc
        if not created.url:
            raise GatewayError("Stripe returned a checkout session without a URL")
        return CheckoutRef(id=created.id, url=created.url)

    def refund(self, target: RefundTarget, amount: int, idempotency_key: str) -> RefundRef:
        """Refund ``amount`` rupiah of the payment's PaymentIntent (``charge.refunded`` follows)."""
        if not target.payment_intent_id:
            raise GatewayError("the payment has no Stripe PaymentIntent to refund")
        try:
            refund = self._client.v1.refunds.create({
                "payment_intent": target.payment_intent_id,
                "amount": to_stripe_amount(amount),
                "reason": "requested_by_customer",
                "metadata": {"payment_id": target.payment_id,
                             "enrolment_id": target.enrolment_id},
            }, {"idempotency_key": idempotency_key})
        except stripe.StripeError as exc:
            raise GatewayError(f"Stripe refused the refund: {_message(exc)}") from exc
        return RefundRef(id=refund.id)

    def expire_checkout(self, checkout_id: str, idempotency_key: str) -> None:
        """Expire an open Checkout Session (``CheckoutClosed`` once it completed or expired)."""
        try:
            self._client.v1.checkout.sessions.expire(
                checkout_id, options={"idempotency_key": idempotency_key})
        except stripe.InvalidRequestError as exc:
            raise CheckoutClosed(f"the card checkout cannot be closed: {_message(exc)}") from exc
        except stripe.StripeError as exc:
            raise GatewayError(f"Stripe refused to expire the checkout: {_message(exc)}") from exc


def checkout_params(request: CheckoutRequest) -> dict[str, Any]:
    """The Checkout Session: one line of the team (or of the SME's share), card, IDR."""
    metadata = {"enrolment_id": request.enrolment_id, "payment_id": request.payment_id}
    params: dict[str, Any] = {
        "mode": "payment",
        "payment_method_types": ["card"],
        "line_items": [{
            "quantity": request.quantity,
            "price_data": {
                "currency": "idr",
                "unit_amount": to_stripe_amount(request.unit_amount),
                "product_data": {"name": request.description[:250]},
            },
        }],
        "expires_at": int(request.expires_at.timestamp()),
        "client_reference_id": request.enrolment_id,
        "metadata": metadata,
        # The charge and its refunds carry the ids too (charge.refunded names the payment).
        "payment_intent_data": {"metadata": metadata},
        "success_url": request.success_url,
        "cancel_url": request.cancel_url,
        "locale": "id",
    }
    if request.customer_email:
        params["customer_email"] = request.customer_email
    if request.destination_account is not None and request.application_fee is not None:
        params["payment_intent_data"].update({
            "transfer_data": {"destination": request.destination_account},
            "application_fee_amount": to_stripe_amount(request.application_fee),
        })
    return params


def _message(exc: stripe.StripeError) -> str:
    return exc.user_message or str(exc) or type(exc).__name__
