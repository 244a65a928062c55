"""Bank transfer, the Indonesian habit: an invoice the SME pays by transfer; the provider confirms.

An invoice is numbered ``INV/<provider>/<year>/<000123>`` without gaps per provider
and year: the counter row is bumped by one upsert (``INSERT … ON CONFLICT DO UPDATE
… RETURNING``) in the invoice's own transaction, so concurrent invoices queue on the
row and a rolled-back invoice gives its number back. Its payment reference (with
check digits) is what the SME writes on the transfer. It is due ``bank_due_days``
from today but never after the enrolment deadline, and the seat hold lasts until
the end of the due date in Jakarta. An open card checkout is closed at its gateway
first (refused if it is completing). Overdue invoices fail when the reaper expires
the enrolment (:func:`lapse_invoices`).

The invoice bills the SME's share: sponsorship quotes the sponsors' share for the
hold until the end of the due date first (:mod:`.sponsor_shares`; a card checkout
replaced by the invoice is the same hold, so the same reservation, extended).
When sponsors pay everything no invoice is made: the enrolment is confirmed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.enrolment import access, rules
from services.enrolment.config import EnrolmentPolicy
from services.enrolment.models import Enrolment, InvoiceCounter, OfferedSession, Payment, Sme
from services.enrolment.payments import Payments
from services.enrolment.service import settlement, sponsor_shares
from services.enrolment.service.checkout import (
    PaymentStart,
    confirm_nothing_to_pay,
    confirmed_with_nothing_to_pay,
    own_enrolment,
    pending_payments,
)
from services.enrolment.sponsorship import Sponsorship
from shared import clock
from shared.auth import Principal
from shared.conflicts import retry_conflicts
from shared.db import Database
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.money import format_idr
from shared.pages import newest_first
from shared.persistence import unique_violation

PROVIDER_CODE_LENGTH = 8


@dataclasses.dataclass(frozen=True)
class InvoiceView:
    """An invoice with what it bills: the enrolment, its session and the SME."""

    payment: Payment
    enrolment: Enrolment
    offered: OfferedSession
    sme: Sme


def create_invoice(db: Database, principal: Principal, enrolment_id: str,
                   policy: EnrolmentPolicy, payments: Payments, *, sponsorship: Sponsorship,
                   authorization: str | None) -> PaymentStart:
    """Invoice an enrolment's SME share for bank transfer (or return its open invoice).

    ``authorization`` is the SME user's ``Authorization`` header, forwarded to
    sponsorship so it quotes for this SME only.
    """
    with db.transaction() as session:
        enrolment = own_enrolment(session, principal, enrolment_id)
        if confirmed_with_nothing_to_pay(enrolment):
            return PaymentStart(enrolment, None, False)
        pending = pending_payments(session, enrolment.id)
        invoice = next((p for p in pending if p.method == "bank_transfer"), None)
        if invoice is not None:
            return PaymentStart(enrolment, invoice, False)
        enrolment.ensure_status("held", "awaiting_payment")
        if enrolment.amount_due <= 0:
            confirm_nothing_to_pay(session, enrolment, actor=principal.subject,
                                   reason="free_session")
            return PaymentStart(enrolment, None, True)
        if enrolment.expires_at is None or enrolment.expires_at <= clock.now():
            raise Conflict("the seat hold has expired", errors={"expires_at": ["in the past"]})
        offered = session.get(OfferedSession, enrolment.session_id)
        assert offered is not None  # foreign key
        due = due_date(clock.today(), offered.enrolment_deadline, policy)
        for card in pending:
            settlement.close_card_checkout(session, card, enrolment, actor=principal.subject,
                                reason="replaced_by_bank_transfer", payments=payments)
        sponsor_shares.apply_quote(enrolment, end_of_day(due), sponsorship, authorization)
        if sponsor_shares.fully_sponsored(enrolment):
            confirm_nothing_to_pay(session, enrolment, actor=principal.subject,
                                   reason="fully_sponsored")
            return PaymentStart(enrolment, None, True)
        payment = _invoice(session, enrolment, due)
        enrolment.expires_at, enrolment.payment_method = end_of_day(due), "bank_transfer"
        if enrolment.status == "held":
            enrolment.transition("start_payment", actor=principal.subject, now=clock.now())
        settlement.queue_mail(session, "invoice", payment, enrolment)
        return PaymentStart(enrolment, payment, True)


def due_date(today: dt.date, deadline: dt.date, policy: EnrolmentPolicy) -> dt.date:
    """``bank_due_days`` from today, but never after the enrolment deadline (409 if past)."""
    if today > deadline:
        raise Conflict(f"enrolment closed on {deadline.isoformat()}: an invoice can no longer "
                       "be paid in time", errors={"due_date": ["after the enrolment deadline"]})
    return min(today + dt.timedelta(days=policy.bank_due_days), deadline)


def end_of_day(day: dt.date) -> dt.datetime:
    """The moment ``day`` ends in Jakarta (WIB), in UTC."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), clock.WIB).astimezone(
        dt.UTC)


def next_invoice_number(session: Session, provider_id: str, year: int) -> int:
    """The provider's next invoice number of ``year``: one atomic upsert of its counter row."""
    table = InvoiceCounter.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(table).values(provider_id=provider_id, year=year, last=1)
                 .on_conflict_do_update(index_elements=[table.c.provider_id, table.c.year],
                                        set_={"last": table.c.last + 1})
                 .returning(table.c.last))
    return int(session.execute(statement).scalar_one())


def provider_code(provider_id: str) -> str:
    """The provider's short code in invoice numbers and references (its id's first characters)."""
    return "".join(c for c in provider_id if c.isalnum())[:PROVIDER_CODE_LENGTH].upper()


def _invoice(session: Session, enrolment: Enrolment, due: dt.date) -> Payment:
    year = clock.today().year
    sequence = next_invoice_number(session, enrolment.provider_id, year)
    code = provider_code(enrolment.provider_id)
    payment = Payment(enrolment_id=enrolment.id, provider_id=enrolment.provider_id,
                      method="bank_transfer", gateway="bank", amount=enrolment.sme_share,
                      currency="IDR", invoice_number=rules.invoice_number(code, year, sequence),
                      payment_reference=rules.payment_reference(code, year, sequence),
                      due_date=due)
    session.add(payment)
    with unique_violation("an invoice with this number exists",
                          {"invoice_number": ["already used"]}):
        session.flush()
    return payment


@retry_conflicts
def confirm_receipt(db: Database, principal: Principal, payment_id: str, receipt: dict[str, Any],
                    payments: Payments) -> Payment:
    """The provider saw the transfer: paid and confirmed (422 when less than due arrived)."""
    with db.transaction() as session:
        payment, enrolment = _providers_invoice(session, principal, payment_id)
        if payment.status != "pending":
            raise Conflict(f"the invoice is {payment.status}", errors={
                "status": ["only a pending invoice can be paid; a lapsed one is refunded by "
                           "transfer or the SME enrols again"]})
        errors = _receipt_errors(payment, receipt)
        if errors:
            raise ValidationFailed("the receipt does not settle the invoice", errors=errors)
        payment.received_amount = receipt["amount_received"]
        payment.received_on = receipt["received_on"]
        payment.bank_reference = receipt["bank_reference"]
        payment.confirmed_by = principal.subject
        settlement.mark_paid(session, payment, enrolment, actor=principal.subject,
                             payments=payments)
        return payment


def _receipt_errors(payment: Payment, receipt: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if receipt["amount_received"] < payment.amount:
        errors["amount_received"] = [f"less than the {format_idr(payment.amount, 'en')} due"]
    if receipt["received_on"] > clock.today():
        errors["received_on"] = ["cannot be in the future"]
    return errors


def lapse_invoices(session: Session, enrolment: Enrolment, *, actor: str) -> int:
    """Fail the enrolment's pending invoices (the reaper, when it expires the enrolment)."""
    invoices = session.scalars(select(Payment).where(
        Payment.enrolment_id == enrolment.id, Payment.status == "pending",
        Payment.method == "bank_transfer").with_for_update()).all()
    for invoice in invoices:
        settlement.mark_failed(session, invoice, enrolment, actor=actor, reason="invoice_overdue")
    return len(invoices)


def get_invoice(db: Database, principal: Principal, payment_id: str) -> InvoiceView:
    """An invoice for the SME, the session's provider, auditors and admins."""
    with db.reading() as session:
        payment = session.get(Payment, payment_id)
        if payment is None or payment.method != "bank_transfer":
            raise NotFound("no such invoice")
        enrolment = session.get(Enrolment, payment.enrolment_id)
        assert enrolment is not None  # foreign key
        offered = session.get(OfferedSession, enrolment.session_id)
        sme = session.get(Sme, enrolment.sme_id)
        assert offered is not None and sme is not None  # foreign keys
        if not access.can_read_enrolment(principal, enrolment, offered):
            raise NotFound("no such invoice")
        return InvoiceView(payment, enrolment, offered, sme)


def list_invoices(db: Database, principal: Principal, provider_id: str,
                  args: dict[str, Any]) -> dict[str, Any]:
    """A page of the provider's bank transfer invoices, newest first (``status`` filters).

    Its staff (a pending one is a transfer to look for and confirm), auditors and admins.
    """
    access.ensure_reads_statements(principal, provider_id)
    with db.reading() as session:
        query = select(Payment).where(Payment.provider_id == provider_id,
                                      Payment.method == "bank_transfer")
        if "status" in args:
            query = query.where(Payment.status == args["status"])
        page = newest_first(session, query, Payment, args)
        views = []
        for payment in page["items"]:
            enrolment = session.get(Enrolment, payment.enrolment_id)
            assert enrolment is not None  # foreign key
            offered = session.get(OfferedSession, enrolment.session_id)
            sme = session.get(Sme, enrolment.sme_id)
            assert offered is not None and sme is not None  # foreign keys
            views.append(InvoiceView(payment, enrolment, offered, sme))
        return {**page, "items": views}


def _providers_invoice(session: Session, principal: Principal,
                       payment_id: str) -> tuple[Payment, Enrolment]:
    found = settlement.lock_payment(session, payment_id)
    if found is None or found[0].method != "bank_transfer" or not access.acts_for_provider(
            principal, found[0].provider_id):
        raise NotFound("no such invoice")
    return found
