"""The pages a paying customer's browser sees: the sandbox checkout, and where checkouts return.

They are reached by a payment's id alone, as a Stripe Checkout URL is, so they
show only what the payer knows already: the session, the amount and the state.
The sandbox's "Pay" delivers a signed ``checkout.session.completed`` to this
service's webhook – or ``checkout.session.expired`` when the hold has lapsed, as
Stripe would once its session expired.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from services.enrolment.models import Enrolment, OfferedSession, Payment
from services.enrolment.payments import Payments
from services.enrolment.payments import sandbox as sandbox_gateway
from services.enrolment.payments.gateway import GatewayError
from shared import clock
from shared.db import Database
from shared.errors import NotFound

__all__ = ["CheckoutPage", "checkout_page", "pay_in_sandbox"]


@dataclasses.dataclass(frozen=True)
class CheckoutPage:
    """A payment as its payer sees it."""

    payment: Payment
    enrolment: Enrolment
    offered: OfferedSession
    expires_at: dt.datetime | None

    @property
    def payable(self) -> bool:
        """The checkout is open: pending, and its hold has not lapsed."""
        return (self.payment.status == "pending" and self.expires_at is not None
                and self.expires_at > clock.now())


def checkout_page(db: Database, payment_id: str, *, sandbox: bool = False) -> CheckoutPage:
    """A card payment by id (404 for anything else; ``sandbox``: only the sandbox's)."""
    with db.reading() as session:
        payment = session.get(Payment, payment_id)
        if payment is None or payment.method != "card" or (sandbox
                                                           and payment.gateway != "sandbox"):
            raise NotFound("no such checkout")
        enrolment = session.get(Enrolment, payment.enrolment_id)
        assert enrolment is not None  # foreign key
        offered = session.get(OfferedSession, enrolment.session_id)
        assert offered is not None  # foreign key
        return CheckoutPage(payment, enrolment, offered, enrolment.expires_at)


def pay_in_sandbox(db: Database, payment_id: str, payments: Payments) -> CheckoutPage:
    """Deliver the event Stripe would send for paying now; the payment as it is afterwards."""
    page = checkout_page(db, payment_id, sandbox=True)
    gateway = payments.gateway("sandbox")
    if page.payment.status == "pending" and isinstance(gateway, sandbox_gateway.SandboxGateway):
        success_url, cancel_url = payments.settings.return_urls(payment_id, page.enrolment.id)
        checkout = sandbox_gateway.SandboxCheckout(
            payment_id=payment_id, enrolment_id=page.enrolment.id,
            checkout_id=page.payment.checkout_id or sandbox_gateway.checkout_id(payment_id),
            amount=page.payment.amount, expires_at=page.expires_at or clock.now(),
            success_url=success_url, cancel_url=cancel_url)
        event = (sandbox_gateway.checkout_completed(checkout) if page.payable
                 else sandbox_gateway.checkout_expired(checkout))
        status = gateway.deliver(event)
        if status >= 300:
            raise GatewayError(f"the webhook refused the sandbox's event ({status})")
    return checkout_page(db, payment_id, sandbox=True)
