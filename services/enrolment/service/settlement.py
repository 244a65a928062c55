"""What a payment's outcome does, for card and bank transfer alike, in the caller's transaction.

- paid: the payment is ``paid`` (event, email) and its enrolment confirmed. A payment
  arriving after the hold lapsed re-takes the seats if they are still free; if not –
  or the enrolment was cancelled, or is already paid – the money goes back at once
  (a full refund with the reason);
- failed: the payment is ``failed`` (event);
- refund requested: ``paid → refund_pending``; a card refund goes to its gateway with
  the key ``refund:<payment id>``, a bank refund waits for the provider to record it;
- refunded: ``refund_pending → refunded`` (event, email).

Callers lock the enrolment, then the payment (:func:`lock_payment`; the order of
every use case here, so none deadlocks with another) and check the state they expect.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from services.enrolment import events, lifecycle
from services.enrolment.models import Enrolment, OfferedSession, Payment, Sme
from services.enrolment.payments import Payments
from services.enrolment.payments.gateway import RefundTarget
from services.enrolment.service import holds, notifications
from shared import clock
from shared.events import EventType, publish
from shared.money import format_idr

log = logging.getLogger(__name__)

FULL = 100


def lock_payment(session: Session, payment_id: str) -> tuple[Payment, Enrolment] | None:
    """A payment and its enrolment, locked enrolment first (every use case's lock order)."""
    found = session.get(Payment, payment_id)
    if found is None:
        return None
    enrolment = session.get(Enrolment, found.enrolment_id, with_for_update=True,
                            populate_existing=True)
    payment = session.get(Payment, payment_id, with_for_update=True, populate_existing=True)
    assert enrolment is not None and payment is not None  # foreign key; payments stay
    return payment, enrolment


def mark_paid(session: Session, payment: Payment, enrolment: Enrolment, *, actor: str,
              payments: Payments) -> str:
    """``pending → paid``, then confirm the enrolment (or refund); returns what happened."""
    payment.transition("succeed")
    payment.paid_at = clock.now()
    announce(session, events.PAYMENT_SUCCEEDED, payment, enrolment, actor=actor)
    queue_mail(session, "payment_received", payment, enrolment)
    if enrolment.status == "awaiting_payment":
        holds.confirm(session, enrolment, "pay", actor=actor)
        return "confirmed"
    if enrolment.status == "expired" and not _enrolled_again(session, enrolment):
        if holds.retake_and_confirm(session, enrolment, actor=actor):
            return "confirmed_late"
        reason = "late_payment_no_seats"
    elif enrolment.status == "expired":
        reason = "late_payment_enrolled_again"
    else:
        reason = f"paid_while_{enrolment.status}"
    log.warning("payment %s arrived for enrolment %s (%s): refunded", payment.id,
                enrolment.id, enrolment.status)
    request_refund(session, payment, enrolment, payment.amount, actor=actor, reason=reason,
                   payments=payments)
    return "refunded"


def mark_failed(session: Session, payment: Payment, enrolment: Enrolment, *, actor: str,
                reason: str) -> None:
    """``pending → failed`` with its event."""
    payment.transition("fail")
    payment.failure_reason = reason
    announce(session, events.PAYMENT_FAILED, payment, enrolment, actor=actor, reason=reason)


def close_card_checkout(session: Session, payment: Payment, enrolment: Enrolment, *, actor: str,
                        reason: str, payments: Payments) -> None:
    """Expire an open card checkout at its gateway, then fail it.

    The gateway refuses (``CheckoutClosed``, 409) when the customer is paying right
    now; the caller decides whether to refuse too or leave the payment to its webhook.
    """
    payments.gateway(payment.gateway).expire_checkout(
        payment.checkout_id or "", idempotency_key=f"expire:{payment.id}")
    mark_failed(session, payment, enrolment, actor=actor, reason=reason)


def request_refund(session: Session, payment: Payment, enrolment: Enrolment, amount: int, *,
                   actor: str, reason: str, payments: Payments) -> None:
    """``paid → refund_pending`` for ``amount`` rupiah; a card refund is sent to its gateway."""
    begin_refund(payment, amount, reason=reason)
    if payment.method != "card":
        return  # the provider transfers it back and records it
    gateway = payments.gateway(payment.gateway)
    refund = gateway.refund(RefundTarget(
        payment_id=payment.id, enrolment_id=enrolment.id, checkout_id=payment.checkout_id,
        payment_intent_id=payment.payment_intent_id, paid_amount=payment.amount,
        destination_account=payment.destination_account,
        application_fee=payment.application_fee),
        amount, idempotency_key=f"refund:{payment.id}")
    payment.refund_gateway_id = refund.id
    if refund.after_commit is not None:
        after_commit(session, refund.after_commit)


def begin_refund(payment: Payment, amount: int, *, reason: str) -> None:
    """``paid → refund_pending`` for a refund the gateway has (or is about to have)."""
    payment.transition("refund")
    payment.refund_amount, payment.refund_reason = amount, reason
    payment.refund_requested_at = clock.now()


def mark_refunded(session: Session, payment: Payment, enrolment: Enrolment, *, actor: str,
                  refunded_on: dt.date, bank_reference: str | None = None) -> None:
    """``refund_pending → refunded`` with its event and an email to the SME."""
    payment.transition("refunded")
    payment.refunded_at, payment.refunded_on = clock.now(), refunded_on
    payment.refund_bank_reference = bank_reference
    announce(session, events.PAYMENT_REFUNDED, payment, enrolment, actor=actor,
             reason=payment.refund_reason)
    queue_mail(session, "refund_issued", payment, enrolment)


def announce(session: Session, kind: EventType, payment: Payment, enrolment: Enrolment, *,
             actor: str, reason: str | None = None) -> None:
    """Publish a ``payment.*`` event in the caller's transaction."""
    publish(session, kind, payment.id, events.payment_payload(payment, enrolment, actor, reason),
            providerid=payment.provider_id)


def mail_context(session: Session, payment: Payment, enrolment: Enrolment) -> dict[str, Any]:
    """What the payment emails may say: who, which session, how much (raw and formatted)."""
    offered = session.get(OfferedSession, enrolment.session_id)
    sme = session.get(Sme, enrolment.sme_id)
    assert offered is not None and sme is not None  # foreign keys
    context: dict[str, Any] = {
        "sme": sme.legal_name, "session_title_id": offered.title_id,
        "session_title_en": offered.title_en, "start_date": offered.start_date.isoformat(),
        "city": offered.city, "participants": enrolment.participants_count,
        "enrolment_id": enrolment.id, "payment_id": payment.id, "method": payment.method,
        **_money("amount", payment.amount),
    }
    if payment.invoice_number:
        context.update(invoice_number=payment.invoice_number,
                       payment_reference=payment.payment_reference,
                       due_date=payment.due_date.isoformat() if payment.due_date else None)
    if payment.refund_amount is not None:
        context.update(refund_reason=payment.refund_reason,
                       **_money("refund_amount", payment.refund_amount))
    return context


def _money(name: str, amount: int) -> dict[str, Any]:
    return {name: amount, f"{name}_id": format_idr(amount, "id"),
            f"{name}_en": format_idr(amount, "en")}


def queue_mail(session: Session, template: str, payment: Payment, enrolment: Enrolment) -> None:
    """Email the SME's contact about its payment (``invoice``, ``payment_received``, ...)."""
    sme = session.get(Sme, enrolment.sme_id)
    notifications.queue(session, template, sme.contact_email if sme else None,
                        mail_context(session, payment, enrolment), subject_id=payment.id)


def _enrolled_again(session: Session, enrolment: Enrolment) -> bool:
    """Another open enrolment of the SME in the session (one open enrolment per SME)."""
    return session.scalar(select(Enrolment.id).where(
        Enrolment.sme_id == enrolment.sme_id, Enrolment.session_id == enrolment.session_id,
        Enrolment.id != enrolment.id,
        Enrolment.status.in_(lifecycle.OPEN_ENROLMENT_STATES)).limit(1)) is not None


_HOOKED, _PENDING = "enrolment_after_commit_hooked", "enrolment_after_commit"


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` once the caller's transaction has committed (never if it rolls back)."""
    if not session.info.get(_HOOKED):
        event.listen(session, "after_commit", _run_pending)
        event.listen(session, "after_rollback", _drop_pending)
        session.info[_HOOKED] = True
    session.info.setdefault(_PENDING, []).append(action)


def _run_pending(session: Session) -> None:
    for action in session.info.pop(_PENDING, []):
        action()


def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)
