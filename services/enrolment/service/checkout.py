"""Card payment: the SME opens a hosted checkout for its held enrolment.

The checkout expires with the hold, so a customer can never pay for seats that
were released. Stripe wants a Checkout Session to live at least 30 minutes: when
less of the hold is left, the hold is extended to 31 minutes from now – once (the
hold is still its original length); an already extended hold that is running out
is refused (409: pay by bank transfer or enrol again). The Stripe call runs in the
transaction that stores the payment, with the key ``checkout:<payment id>``: if
anything fails, nothing is stored and a retry opens the same session again.

Before the amount is fixed, sponsorship quotes the sponsors' share for the hold
until the checkout's expiry (:mod:`.sponsor_shares`); the checkout charges the
SME's share. When sponsors pay everything there is nothing to pay: the
enrolment is confirmed at once and no checkout opens; so is the enrolment of a
free session (nothing due at all: nothing to check out, nothing to sponsor).

When the session's provider has a Stripe connected account (catalog's provider
events, :mod:`.providers`), the checkout is a destination charge: the money goes to
that account and Stripe keeps the platform fee – ``ledger.fee_of(amount, percent)``,
rounded as on statements – both stored on the payment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.enrolment import access, ledger
from services.enrolment.config import EnrolmentPolicy
from services.enrolment.models import Enrolment, OfferedSession, Payment, Sme, new_id
from services.enrolment.payments import Payments
from services.enrolment.payments.gateway import CheckoutRequest
from services.enrolment.service import holds, providers, settlement, sponsor_shares
from services.enrolment.sponsorship import Sponsorship
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.errors import Conflict, NotFound
from shared.persistence import load

# Stripe's shortest Checkout Session, and a minute for the clocks to disagree.
MIN_CHECKOUT = dt.timedelta(minutes=31)
# Stripe's longest Checkout Session (24 hours), less the same minute.
MAX_CHECKOUT = dt.timedelta(hours=24) - dt.timedelta(minutes=1)


@dataclasses.dataclass(frozen=True)
class PaymentStart:
    """What asking to pay did: a payment to make, or (``payment`` None) nothing to pay."""

    enrolment: Enrolment
    payment: Payment | None  # None: sponsors pay everything, the enrolment is confirmed
    created: bool  # a new payment, or a new confirmation; False: the earlier one returned


def start_checkout(db: Database, principal: Principal, enrolment_id: str,
                   policy: EnrolmentPolicy, payments: Payments, *, sponsorship: Sponsorship,
                   authorization: str | None) -> PaymentStart:
    """Open (or return the open) card checkout of an enrolment, for the SME's share.

    ``authorization`` is the SME user's ``Authorization`` header, forwarded to
    sponsorship so it quotes for this SME only.
    """
    with db.transaction() as session:
        enrolment = own_enrolment(session, principal, enrolment_id)
        if confirmed_with_nothing_to_pay(enrolment):
            return PaymentStart(enrolment, None, False)
        pending = pending_payments(session, enrolment.id)
        card = next((p for p in pending if p.method == "card"), None)
        if card is not None and enrolment.status == "awaiting_payment":
            return PaymentStart(enrolment, card, False)
        if any(p.method == "bank_transfer" for p in pending):
            raise Conflict("a bank transfer invoice is open for this enrolment: pay it by "
                           "transfer (a transfer may already be on its way)",
                           errors={"payment_method": ["an invoice is open"]})
        enrolment.ensure_status("held")
        if card is not None:  # left open by a held enrolment: close it before the next
            settlement.close_card_checkout(session, card, enrolment, actor=principal.subject,
                                           reason="replaced_by_new_checkout",
                                           payments=payments)
        if enrolment.amount_due <= 0:
            confirm_nothing_to_pay(session, enrolment, actor=principal.subject,
                                   reason="free_session")
            return PaymentStart(enrolment, None, True)
        now = clock.now()
        expires_at = checkout_expiry(enrolment, now, policy)
        sponsor_shares.apply_quote(enrolment, expires_at, sponsorship, authorization)
        if sponsor_shares.fully_sponsored(enrolment):
            confirm_nothing_to_pay(session, enrolment, actor=principal.subject,
                                   reason="fully_sponsored")
            return PaymentStart(enrolment, None, True)
        payment = _open_checkout(session, enrolment, expires_at, payments, policy)
        enrolment.expires_at, enrolment.payment_method = expires_at, "card"
        enrolment.transition("start_payment", actor=principal.subject, now=now)
        return PaymentStart(enrolment, payment, True)


def confirmed_with_nothing_to_pay(enrolment: Enrolment) -> bool:
    """Confirmed because the SME owes nothing (asked to pay again: the same answer)."""
    return enrolment.status == "confirmed" and enrolment.sme_share == 0


def confirm_nothing_to_pay(session: Session, enrolment: Enrolment, *, actor: str,
                           reason: str) -> None:
    """A free session, or sponsors pay everything: keep the seats now (``confirm``).

    Sponsorship commits its reservation on the event; a free session has none.
    """
    holds.confirm(session, enrolment, "confirm", actor=actor, reason=reason)


def checkout_expiry(enrolment: Enrolment, now: dt.datetime,
                    policy: EnrolmentPolicy) -> dt.datetime:
    """When the checkout (and the hold) ends: the hold's end, or 31 minutes away once."""
    if enrolment.expires_at is None or enrolment.expires_at <= now:
        raise Conflict("the seat hold has expired", errors={"expires_at": ["in the past"]})
    if enrolment.expires_at - now >= MIN_CHECKOUT:
        return min(enrolment.expires_at, now + MAX_CHECKOUT)
    original_end = enrolment.created_at + dt.timedelta(minutes=policy.hold_minutes)
    if enrolment.expires_at > original_end:
        raise Conflict("the seat hold ends too soon for a card checkout and was extended "
                       "once already: pay by bank transfer or enrol again",
                       errors={"expires_at": ["less than 30 minutes left"]})
    return now + MIN_CHECKOUT


def _open_checkout(session: Session, enrolment: Enrolment, expires_at: dt.datetime,
                   payments: Payments, policy: EnrolmentPolicy) -> Payment:
    gateway = payments.checkout_gateway
    destination = providers.connected_account(session, enrolment.provider_id)
    fee = (None if destination is None
           else ledger.fee_of(enrolment.sme_share, policy.platform_fee_percent))
    payment = Payment(id=new_id(), enrolment_id=enrolment.id, provider_id=enrolment.provider_id,
                      method="card", gateway=gateway.name, amount=enrolment.sme_share,
                      currency="IDR", destination_account=destination, application_fee=fee)
    session.add(payment)
    session.flush()
    offered = session.get(OfferedSession, enrolment.session_id)
    sme = session.get(Sme, enrolment.sme_id)
    assert offered is not None and sme is not None  # foreign keys
    success_url, cancel_url = payments.settings.return_urls(payment.id, enrolment.id)
    ref = gateway.create_checkout(CheckoutRequest(
        payment_id=payment.id, enrolment_id=enrolment.id,
        description=_description(enrolment, offered), **_line(enrolment),
        expires_at=expires_at, success_url=success_url, cancel_url=cancel_url,
        customer_email=sme.contact_email, destination_account=destination,
        application_fee=fee), idempotency_key=f"checkout:{payment.id}")
    payment.checkout_id, payment.checkout_url = ref.id, ref.url
    return payment


def _line(enrolment: Enrolment) -> dict[str, int]:
    """One line per participant; when a sponsor pays part, one line of the SME's share."""
    if enrolment.sme_share == enrolment.price_per_participant * enrolment.participants_count:
        return {"unit_amount": enrolment.price_per_participant,
                "quantity": enrolment.participants_count}
    return {"unit_amount": enrolment.sme_share, "quantity": 1}


def _description(enrolment: Enrolment, offered: OfferedSession) -> str:
    share = "" if enrolment.sponsor_share == 0 else " (bagian UKM / SME share)"
    return (f"SCORE {offered.module_code}: {offered.title_id} – {offered.city}, "
            f"{offered.start_date.isoformat()}{share}")


def own_enrolment(session: Session, principal: Principal, enrolment_id: str) -> Enrolment:
    """The caller's SME's enrolment, locked (404 for anyone else's)."""
    enrolment = load(session, Enrolment, enrolment_id, lock=True, entity="enrolment")
    if not access.acts_for_sme(principal, enrolment.sme_id):
        raise NotFound("no such enrolment")
    return enrolment


def pending_payments(session: Session, enrolment_id: str) -> list[Payment]:
    """The enrolment's payments still waiting for money, locked."""
    return list(session.scalars(select(Payment).where(
        Payment.enrolment_id == enrolment_id, Payment.status == "pending")
        .order_by(Payment.created_at).with_for_update()))
