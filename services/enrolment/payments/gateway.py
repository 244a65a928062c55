"""What enrolment asks of a card gateway, and what it gets back.

Every call carries a deterministic idempotency key (``checkout:<payment id>``,
``refund:<payment id>``, ``expire:<payment id>``): a call retried after a timeout,
or by a redelivered event, does what the first did and nothing more.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Protocol

from shared.errors import DomainError


class GatewayError(DomainError):
    """The gateway could not be reached or refused the call (502: nothing was stored)."""

    status, title, type_slug = 502, "Payment gateway error", "payment-gateway-error"


class CheckoutClosed(GatewayError):
    """The checkout is no longer open: it completed (or is completing) or expired (409)."""

    status, title, type_slug = 409, "Checkout not open", "checkout-not-open"


@dataclasses.dataclass(frozen=True)
class CheckoutRequest:
    """A hosted checkout for one payment: what it sells, for how much, until when."""

    payment_id: str
    enrolment_id: str
    description: str
    unit_amount: int  # whole rupiah
    quantity: int
    expires_at: dt.datetime
    success_url: str
    cancel_url: str
    customer_email: str | None = None
    # A destination charge: the provider's Stripe connected account receives the money
    # and the platform keeps ``application_fee`` rupiah of it (both or neither).
    destination_account: str | None = None
    application_fee: int | None = None

    def __post_init__(self) -> None:
        if (self.destination_account is None) != (self.application_fee is None):
            raise ValueError("a destination charge names its account and its fee")
        if self.application_fee is not None and not 0 <= self.application_fee <= self.amount:
            raise ValueError("the application fee is 0..the amount charged")

    @property
    def amount(self) -> int:
        """The total charged, in whole rupiah."""
        return self.unit_amount * self.quantity


@dataclasses.dataclass(frozen=True)
class CheckoutRef:
    """The gateway's checkout: its id and the page the customer pays on."""

    id: str
    url: str


@dataclasses.dataclass(frozen=True)
class RefundTarget:
    """The paid card payment a refund goes back to."""

    payment_id: str
    enrolment_id: str
    checkout_id: str | None
    payment_intent_id: str | None
    paid_amount: int  # whole rupiah
    destination_account: str | None = None  # a destination charge's connected account
    application_fee: int | None = None


@dataclasses.dataclass(frozen=True)
class RefundRef:
    """A refund the gateway accepted; ``after_commit`` runs once its request is stored."""

    id: str
    after_commit: Callable[[], None] | None = None


class PaymentGateway(Protocol):
    """A card gateway: Stripe, or the sandbox of the embedded default."""

    name: str

    def create_checkout(self, request: CheckoutRequest, idempotency_key: str) -> CheckoutRef:
        """Open a hosted checkout (``GatewayError`` when refused or unreachable)."""
        ...

    def refund(self, target: RefundTarget, amount: int, idempotency_key: str) -> RefundRef:
        """Refund ``amount`` rupiah of a paid payment; the outcome arrives as a webhook."""
        ...

    def expire_checkout(self, checkout_id: str, idempotency_key: str) -> None:
        """Close an open checkout so it can no longer be paid (refused once completed)."""
        ...
