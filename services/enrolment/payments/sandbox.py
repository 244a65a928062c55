"""The sandbox card gateway of the embedded default: Stripe's webhooks, without Stripe.

Its checkout page is this service's own ``/sandbox/checkout/<payment id>``. Paying
there (or a refund) builds the event Stripe would send – same type, same shape,
signed with the webhook secret by :meth:`stripe.WebhookSignature.generate_signature_header`
– and POSTs it over HTTP to this service's ``/webhooks/stripe``, so the real
webhook path (verification, storage, effects) runs on every machine. Event ids
are derived from the payment, so paying twice is a duplicate delivery.
Production refuses this gateway (:mod:`services.enrolment.payments.settings`).

Destination charges are mirrored: a checkout for a provider's connected account
is refused as Stripe refuses one (an id that is no ``acct_...``), the page says
where the money goes and what fee the platform keeps, and the charge in
``charge.refunded`` carries ``transfer_data`` and ``application_fee_amount``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import re
import time
from typing import Any

import requests
import stripe

from services.enrolment.payments.gateway import (
    CheckoutRef,
    CheckoutRequest,
    GatewayError,
    RefundRef,
    RefundTarget,
)
from services.enrolment.payments.settings import PaymentSettings
from shared.money import to_stripe_amount

log = logging.getLogger(__name__)
CONNECTED_ACCOUNT = re.compile(r"acct_[A-Za-z0-9]+")
API_VERSION = "2025-03-31.basil"
DELIVERY_TIMEOUT_S = 10


@dataclasses.dataclass(frozen=True)
class SandboxCheckout:
    """What a sandbox checkout sells (the page shows it; the events describe it)."""

    payment_id: str
    enrolment_id: str
    checkout_id: str
    amount: int  # whole rupiah
    expires_at: dt.datetime
    success_url: str
    cancel_url: str


def checkout_id(payment_id: str) -> str:
    """The sandbox's Checkout Session id of a payment."""
    return f"cs_sandbox_{_token(payment_id)}"


def payment_intent_id(payment_id: str) -> str:
    """The sandbox's PaymentIntent id of a payment."""
    return f"pi_sandbox_{_token(payment_id)}"


class SandboxGateway:
    """Checkouts on this service's own page; events signed and posted to its webhook."""

    name = "sandbox"

    def __init__(self, settings: PaymentSettings) -> None:
        self._settings = settings

    def create_checkout(self, request: CheckoutRequest, idempotency_key: str) -> CheckoutRef:
        """The sandbox page of the payment (nothing leaves the machine)."""
        if request.destination_account is not None and not CONNECTED_ACCOUNT.fullmatch(
                request.destination_account):
            raise GatewayError(f"the sandbox refused the checkout: no such destination "
                               f"{request.destination_account!r}")
        return CheckoutRef(id=checkout_id(request.payment_id),
                           url=f"{self._settings.public_url}/sandbox/checkout/"
                               f"{request.payment_id}")

    def refund(self, target: RefundTarget, amount: int, idempotency_key: str) -> RefundRef:
        """Accept the refund; ``charge.refunded`` is posted once the request is committed."""
        event = charge_refunded(target, amount)
        return RefundRef(id=f"re_sandbox_{_token(target.payment_id)}",
                         after_commit=lambda: self.deliver_quietly(event))

    def expire_checkout(self, checkout_id: str, idempotency_key: str) -> None:
        """Nothing to close: the page refuses payments of a payment no longer pending."""

    def deliver(self, event: dict[str, Any]) -> int:
        """Sign ``event`` and POST it to the webhook as Stripe would; the HTTP status."""
        body = json.dumps(event, separators=(",", ":"))
        signature = stripe.WebhookSignature.generate_signature_header(
            body, self._settings.webhook_secret)
        try:
            response = requests.post(
                self._settings.webhook_url, data=body.encode(), timeout=DELIVERY_TIMEOUT_S,
                headers={"Content-Type": "application/json; charset=utf-8",
                         "Stripe-Signature": signature, "User-Agent": "score-sandbox/1"})
        except requests.RequestException as exc:
            raise GatewayError(f"the sandbox could not reach {self._settings.webhook_url}: "
                               f"{exc}") from exc
        return response.status_code

    def deliver_quietly(self, event: dict[str, Any]) -> None:
        """:meth:`deliver`, logging instead of raising (runs after a commit)."""
        try:
            status = self.deliver(event)
        except GatewayError as exc:
            log.warning("sandbox event %s not delivered: %s", event["id"], exc.detail)
            return
        if status >= 300:
            log.warning("sandbox event %s answered %s", event["id"], status)


def checkout_completed(checkout: SandboxCheckout) -> dict[str, Any]:
    """``checkout.session.completed`` of a paid card checkout."""
    return _event("checkout.session.completed", checkout.payment_id,
                  _session(checkout, status="complete", payment_status="paid"))


def checkout_expired(checkout: SandboxCheckout) -> dict[str, Any]:
    """``checkout.session.expired``: the checkout lapsed unpaid."""
    return _event("checkout.session.expired", checkout.payment_id,
                  _session(checkout, status="expired", payment_status="unpaid"))


def charge_refunded(target: RefundTarget, amount: int) -> dict[str, Any]:
    """``charge.refunded`` for a refund of ``amount`` rupiah."""
    paid, refunded = to_stripe_amount(target.paid_amount), to_stripe_amount(amount)
    charge = {
        "id": f"ch_sandbox_{_token(target.payment_id)}", "object": "charge",
        "amount": paid, "amount_captured": paid, "amount_refunded": refunded,
        "captured": True, "currency": "idr", "livemode": False, "paid": True,
        "payment_intent": target.payment_intent_id or payment_intent_id(target.payment_id),
        "refunded": refunded == paid, "status": "succeeded",
        "metadata": {"enrolment_id": target.enrolment_id, "payment_id": target.payment_id},
        "application_fee_amount": None, "transfer_data": None,
    }
    if target.destination_account is not None and target.application_fee is not None:
        charge.update(application_fee_amount=to_stripe_amount(target.application_fee),
                      transfer_data={"amount": None,
                                     "destination": target.destination_account})
    return _event("charge.refunded", target.payment_id, charge,
                  previous={"amount_refunded": 0, "refunded": False})


def _session(checkout: SandboxCheckout, *, status: str, payment_status: str) -> dict[str, Any]:
    total = to_stripe_amount(checkout.amount)
    return {
        "id": checkout.checkout_id, "object": "checkout.session",
        "amount_subtotal": total, "amount_total": total,
        "cancel_url": checkout.cancel_url, "client_reference_id": checkout.enrolment_id,
        "created": int(time.time()), "currency": "idr",
        "expires_at": int(checkout.expires_at.timestamp()), "livemode": False,
        "metadata": {"enrolment_id": checkout.enrolment_id, "payment_id": checkout.payment_id},
        "mode": "payment",
        "payment_intent": payment_intent_id(checkout.payment_id) if payment_status == "paid"
        else None,
        "payment_method_types": ["card"], "payment_status": payment_status, "status": status,
        "success_url": checkout.success_url, "url": None,
    }


def _event(kind: str, payment_id: str, obj: dict[str, Any],
           previous: dict[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"object": obj}
    if previous is not None:
        data["previous_attributes"] = previous
    return {
        "id": f"evt_sandbox_{kind.replace('.', '_')}_{_token(payment_id)}",
        "object": "event", "api_version": API_VERSION, "created": int(time.time()),
        "data": data, "livemode": False, "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None}, "type": kind,
    }


def _token(payment_id: str) -> str:
    return payment_id.replace("-", "")
