"""The money side of a cancellation, and bank refunds recorded by the provider.

A cancellation (``services.enrolment.service.cancellation``) releases the seats
with ``holds.release(..., "cancel")`` and then, in the same transaction, calls
:func:`refund_for_cancellation` with the share the policy grants:
``rules.refund_percent(...)`` when the SME or the provider cancels (full ≥ 7 days
before the start, 50 % after, none once started), 100 when catalog cancelled the
session. Open payments are closed (a card checkout expired at its gateway, an
invoice failed; a checkout being paid that very moment is left to its webhook, which
refunds it in full) and a paid one is refunded once: only a ``paid`` payment can move
to ``refund_pending``, so a replayed cancellation refunds nothing twice. A card
refund completes with Stripe's ``charge.refunded`` webhook; a bank refund when
the provider records its transfer (:func:`record_bank_refund`).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.enrolment import access, rules
from services.enrolment.models import Enrolment, Payment
from services.enrolment.payments import Payments, current
from services.enrolment.payments.gateway import CheckoutClosed
from services.enrolment.service import settlement
from services.enrolment.service.checkout import pending_payments
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.errors import Conflict, NotFound, ValidationFailed

log = logging.getLogger(__name__)


def refund_for_cancellation(session: Session, enrolment: Enrolment, percent: int, *, actor: str,
                            reason: str, payments: Payments | None = None) -> Payment | None:
    """Close the enrolment's open payments and refund ``percent`` of its paid one.

    Returns the refunded payment (``refund_pending``), or None when nothing is
    refunded (nothing paid, or a 0 % share: the payment stays ``paid``).
    """
    payments = payments or current()
    for payment in pending_payments(session, enrolment.id):
        if payment.method != "card":
            settlement.mark_failed(session, payment, enrolment, actor=actor,
                                   reason="enrolment_cancelled")
            continue
        try:
            settlement.close_card_checkout(session, payment, enrolment, actor=actor,
                                           reason="enrolment_cancelled", payments=payments)
        except CheckoutClosed:
            # Being paid this very moment: its webhook finds the enrolment cancelled
            # and refunds the payment in full (webhooks, "paid_while_cancelled").
            log.warning("card checkout of payment %s completing during its cancellation",
                        payment.id)
    paid = session.scalars(select(Payment).where(
        Payment.enrolment_id == enrolment.id, Payment.status == "paid")
        .order_by(Payment.created_at).with_for_update()).first()
    amount = 0 if paid is None else rules.share_of(paid.amount, percent)
    if paid is None or amount <= 0:
        return None
    settlement.request_refund(session, paid, enrolment, amount, actor=actor, reason=reason,
                              payments=payments)
    return paid


def record_bank_refund(db: Database, principal: Principal, payment_id: str,
                       record: dict[str, Any]) -> Payment:
    """The provider transferred a bank refund back to the SME: the refund is complete."""
    with db.transaction() as session:
        found = settlement.lock_payment(session, payment_id)
        if found is None or not access.acts_for_provider(principal, found[0].provider_id):
            raise NotFound("no such payment")
        payment, enrolment = found
        if payment.method != "bank_transfer":
            raise Conflict("a card refund completes when the gateway reports it",
                           errors={"method": ["not a bank transfer"]})
        if payment.status != "refund_pending":
            raise Conflict(f"the payment is {payment.status}",
                           errors={"status": ["no refund is pending"]})
        if record["refunded_on"] > clock.today():
            raise ValidationFailed("the refund is not valid",
                                   errors={"refunded_on": ["cannot be in the future"]})
        settlement.mark_refunded(session, payment, enrolment, actor=principal.subject,
                                 refunded_on=record["refunded_on"],
                                 bank_reference=record["bank_reference"])
        return payment
