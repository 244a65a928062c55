"""Stripe's webhooks: verified on the raw body, stored once, applied in the same transaction.

``receive`` verifies the ``Stripe-Signature`` header with
:func:`stripe.Webhook.construct_event` (tolerance 300 s); anything it refuses, or
a body that is no Stripe event, is a 400 and nothing is stored. A verified event
is inserted into ``stripe_events`` (unique by Stripe's id) *before* its effect, in
the effect's transaction, so a redelivery – even a concurrent one, which waits
on the row – finds it and changes nothing, and an effect that fails stores
nothing (Stripe retries). Effects are guarded by the payment's state, so events
arriving out of order are harmless (``expired`` after ``completed`` changes nothing).

    checkout.session.completed (paid), checkout.session.async_payment_succeeded
        → payment paid, enrolment confirmed (late: seats re-taken, or refunded)
    checkout.session.async_payment_failed
        → payment failed, enrolment back to held (expired if the hold lapsed)
    checkout.session.expired → payment failed, enrolment expired, seats released
    charge.refunded → refund completed (payment refunded)
    anything else → stored, no effect
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from typing import Any

import stripe
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.enrolment import config
from services.enrolment.models import Enrolment, Payment, StripeEvent
from services.enrolment.payments import Payments
from services.enrolment.service import holds, settlement
from shared import clock
from shared.conflicts import retry_conflicts
from shared.db import Database
from shared.errors import DomainError
from shared.money import from_stripe_amount

log = logging.getLogger(__name__)
ACTOR = "stripe"


class WebhookRefused(DomainError):
    """A webhook that is not a verified Stripe event (400; nothing is stored)."""

    status, title, type_slug = 400, "Invalid webhook", "invalid-webhook"


@dataclasses.dataclass(frozen=True)
class StripeNotice:
    """A verified event: its id, type and ``data.object`` as plain JSON values."""

    id: str
    type: str
    object: dict[str, Any]


@retry_conflicts
def receive(db: Database, payload: bytes, signature: str | None, payments: Payments) -> str:
    """Verify, store and apply one delivery; returns the outcome stored with the event."""
    notice = verify(payload, signature, payments.settings.webhook_secret,
                    payments.settings.webhook_tolerance_s)
    try:
        with db.transaction() as session:
            if session.get(StripeEvent, notice.id) is not None:
                return "duplicate"
            stored = StripeEvent(id=notice.id, type=notice.type, outcome="received",
                                 payload=payload.decode("utf-8"))
            session.add(stored)
            session.flush()  # a concurrent delivery of this event waits here, then fails
            stored.outcome = apply(session, notice, payments)
            return stored.outcome
    except IntegrityError:
        with db.reading() as session:
            if session.get(StripeEvent, notice.id) is None:
                raise
        return "duplicate"


def verify(payload: bytes, signature: str | None, secret: str, tolerance: int) -> StripeNotice:
    """The event ``payload`` carries, if ``signature`` is Stripe's over it (else 400)."""
    try:
        stripe.Webhook.construct_event(payload, signature, secret, tolerance=tolerance)
        document = json.loads(payload)
        notice = StripeNotice(id=document["id"], type=document["type"],
                              object=document["data"]["object"])
    except stripe.SignatureVerificationError as exc:
        raise WebhookRefused(f"the Stripe-Signature does not verify: {exc.user_message or exc}",
                             errors={"Stripe-Signature": ["invalid or stale signature"]}
                             ) from None
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        raise WebhookRefused("the body is not a Stripe event",
                             errors={"_schema": ["not a Stripe event"]}) from None
    if not (isinstance(notice.id, str) and 0 < len(notice.id) <= 255
            and isinstance(notice.type, str) and 0 < len(notice.type) <= 100
            and isinstance(notice.object, dict)):
        raise WebhookRefused("the body is not a Stripe event",
                             errors={"_schema": ["id, type and data.object are required"]})
    return notice


def apply(session: Session, notice: StripeNotice, payments: Payments) -> str:
    """The event's effect in ``session``; returns the outcome (``ignored`` for other types)."""
    effect = EFFECTS.get(notice.type)
    return "ignored" if effect is None else effect(session, notice.object, payments)


def _checkout_completed(session: Session, checkout: dict, payments: Payments) -> str:
    if checkout.get("payment_status") != "paid":
        return "awaiting_async_payment"  # a delayed method: async_payment_* follows
    return _checkout_paid(session, checkout, payments)


def _checkout_paid(session: Session, checkout: dict, payments: Payments) -> str:
    found = _checkout_payment(session, checkout)
    if found is None:
        return "unknown_checkout"
    payment, enrolment = found
    if payment.status != "pending":
        return f"no_change_{payment.status}"
    _check_amount(payment, checkout.get("amount_total"))
    intent = checkout.get("payment_intent")
    payment.payment_intent_id = intent if isinstance(intent, str) else None
    return settlement.mark_paid(session, payment, enrolment, actor=ACTOR, payments=payments)


def _async_payment_failed(session: Session, checkout: dict, payments: Payments) -> str:
    outcome, enrolment = _fail_checkout(session, checkout, "payment_failed")
    if enrolment is None:
        return outcome
    if enrolment.expires_at is not None and enrolment.expires_at > clock.now():
        enrolment.transition("payment_failed", actor=ACTOR, reason="payment_failed",
                             now=clock.now())
        return "failed_back_to_held"
    holds.release(session, enrolment, "expire", actor=ACTOR, reason="payment_failed",
                  policy=config.current_policy())
    return "failed_expired"


def _checkout_expired(session: Session, checkout: dict, payments: Payments) -> str:
    outcome, enrolment = _fail_checkout(session, checkout, "checkout_expired")
    if enrolment is None:
        return outcome
    holds.release(session, enrolment, "expire", actor=ACTOR, reason="checkout_expired",
                  policy=config.current_policy())
    return "expired"


def _fail_checkout(session: Session, checkout: dict, reason: str
                   ) -> tuple[str, Enrolment | None]:
    """Fail the checkout's pending payment; the enrolment still awaiting it, if any.

    Without an enrolment to act on, the outcome says why: an unknown checkout, a
    payment already settled, or an enrolment that moved on.
    """
    found = _checkout_payment(session, checkout)
    if found is None:
        return "unknown_checkout", None
    payment, enrolment = found
    if payment.status != "pending":
        return f"no_change_{payment.status}", None
    settlement.mark_failed(session, payment, enrolment, actor=ACTOR, reason=reason)
    if enrolment.status != "awaiting_payment":
        return "failed", None
    return "failed", enrolment


def _charge_refunded(session: Session, charge: dict, payments: Payments) -> str:
    found = _charged_payment(session, charge)
    if found is None:
        return "unknown_charge"
    payment, enrolment = found
    refunded = _rupiah(charge.get("amount_refunded"))
    if payment.status == "paid" and refunded:
        # Refunded outside this service (Stripe's dashboard): record it all the same.
        settlement.begin_refund(payment, min(refunded, payment.amount),
                                reason="refunded_at_stripe")
    if payment.status != "refund_pending":
        return f"no_change_{payment.status}"
    if refunded is None or refunded < (payment.refund_amount or 0):
        return "partially_refunded"
    settlement.mark_refunded(session, payment, enrolment, actor=ACTOR,
                             refunded_on=clock.today())
    return "refunded"


def _checkout_payment(session: Session, checkout: dict) -> tuple[Payment, Enrolment] | None:
    checkout_id = checkout.get("id")
    if not isinstance(checkout_id, str):
        return None
    return _locked(session, select(Payment.id).where(Payment.checkout_id == checkout_id))


def _charged_payment(session: Session, charge: dict) -> tuple[Payment, Enrolment] | None:
    intent, metadata = charge.get("payment_intent"), charge.get("metadata")
    if isinstance(intent, str):
        found = _locked(session, select(Payment.id).where(Payment.payment_intent_id == intent))
        if found is not None:
            return found
    payment_id = metadata.get("payment_id") if isinstance(metadata, dict) else None
    if not isinstance(payment_id, str):
        return None
    return _locked(session, select(Payment.id).where(Payment.id == payment_id,
                                                     Payment.method == "card"))


def _locked(session: Session, query) -> tuple[Payment, Enrolment] | None:
    payment_id = session.scalars(query).first()
    return None if payment_id is None else settlement.lock_payment(session, payment_id)


def _check_amount(payment: Payment, minor: object) -> None:
    if _rupiah(minor) != payment.amount:
        log.warning("checkout of payment %s: Stripe charged %r minor units, expected %s",
                    payment.id, minor, payment.amount * 100)


def _rupiah(minor: object) -> int | None:
    if isinstance(minor, bool) or not isinstance(minor, int):
        return None
    try:
        return from_stripe_amount(minor)
    except ValueError:
        return None


EFFECTS: dict[str, Callable[[Session, dict, Payments], str]] = {
    "checkout.session.completed": _checkout_completed,
    "checkout.session.async_payment_succeeded": _checkout_paid,
    "checkout.session.async_payment_failed": _async_payment_failed,
    "checkout.session.expired": _checkout_expired,
    "charge.refunded": _charge_refunded,
}
