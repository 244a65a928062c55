"""Providers' monthly settlement statements: computed on demand, issued, marked paid.

The arithmetic is :mod:`services.enrolment.ledger` (formulas, months, rounding);
this module finds a provider's lines of a month in the payments and enrolments
and keeps issued statements:

- **computed** (read only, any past or current month): the month's lines as they
  are now, at the current platform fee – status ``open`` until issued;
- **issued** by a platform admin once the month is over: a frozen
  :class:`Statement` with its lines and the fee percent of that moment, one per
  provider and month. Issuing again returns the first (idempotent); concurrent
  issues are serialised on the provider and month, so exactly one is created;
- **paid**: a platform admin records the bank transfer that settled the net
  payable – to the provider when positive, from it when negative, none when 0
  (a provider with a connected account already has its card money from Stripe:
  the net payable is only the remainder).

Lines are booked by when SCORE recorded them (see the ledger), so nothing recorded
after a month ended can change an issued statement of that month.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.enrolment import access, events, ledger
from services.enrolment.ledger import Line, Month, Totals
from services.enrolment.models import (
    Enrolment,
    KnownProvider,
    Payment,
    Statement,
    StatementLine,
)
from services.enrolment.service import providers
from shared import clock
from shared.auth import Principal, scope_to_tenant
from shared.conflicts import retry_conflicts
from shared.db import Database
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.events import publish
from shared.locks import serialise_on
from shared.pages import newest_first
from shared.persistence import load


@dataclasses.dataclass(frozen=True)
class StatementView:
    """A provider's month: computed now (``open``) or as issued (``issued`` / ``paid``)."""

    provider_id: str
    provider_name: str | None
    month: str
    status: str
    fee_percent: Decimal
    totals: Totals
    lines: list[tuple[Line, int]]  # each line with its fee
    statement: Statement | None = None
    currency: str = "IDR"


def get_statement(db: Database, principal: Principal, provider_id: str, month: Month,
                  percent: Decimal) -> StatementView:
    """The provider's statement of ``month``: as issued if it was, else computed now."""
    access.ensure_reads_statements(principal, provider_id)
    with db.reading() as session:
        _ensure_known(session, provider_id)
        issued = session.scalar(select(Statement).where(Statement.provider_id == provider_id,
                                                        Statement.month == str(month)))
        if issued is not None:
            return issued_view(issued, _name(session, provider_id))
        lines = month_lines(session, provider_id, month)
        return StatementView(provider_id=provider_id, provider_name=_name(session, provider_id),
                             month=str(month), status="open", fee_percent=percent,
                             totals=ledger.totals(lines, percent),
                             lines=[(line, line.fee(percent)) for line in lines])


@retry_conflicts
def issue_statement(db: Database, principal: Principal, provider_id: str, month: Month,
                    percent: Decimal) -> tuple[Statement, bool]:
    """Freeze the provider's ``month`` (platform admin); True when newly issued."""
    access.ensure_settles(principal)
    if month >= Month.of(clock.now()):
        raise Conflict(f"{month} is not over yet (Jakarta time): a statement is issued once "
                       "its month has ended", errors={"month": ["not over yet"]})
    with db.transaction() as session:
        _ensure_known(session, provider_id)
        # One statement per provider and month, also under concurrent issues (PostgreSQL;
        # SQLite's write lock already serialises); the unique constraint is the backstop.
        serialise_on(session, f"statement:{provider_id}:{month}")
        existing = session.scalar(select(Statement).where(Statement.provider_id == provider_id,
                                                          Statement.month == str(month)))
        if existing is not None:
            return existing, False
        lines = month_lines(session, provider_id, month)
        figures = ledger.totals(lines, percent)
        statement = Statement(
            provider_id=provider_id, month=str(month), currency="IDR", fee_percent=percent,
            issued_by=principal.subject, **dataclasses.asdict(figures),
            lines=[StatementLine(position=n, kind=line.kind, source_id=line.source_id,
                                 enrolment_id=line.enrolment_id, booked_at=line.booked_at,
                                 amount=line.amount, platform_cash=line.platform_cash,
                                 fee=line.fee(percent), fee_withheld=line.fee_withheld,
                                 reference=line.reference)
                   for n, line in enumerate(lines, start=1)])
        session.add(statement)
        session.flush()
        publish(session, events.STATEMENT_ISSUED, statement.id,
                events.statement_payload(statement, principal.subject), providerid=provider_id)
        return statement, True


def mark_paid(db: Database, principal: Principal, statement_id: str,
              record: dict[str, Any]) -> Statement:
    """The net payable was settled by bank transfer (platform admin): ``issued → paid``.

    Recording the same payment again changes nothing; another one is a 409.
    """
    access.ensure_settles(principal)
    with db.transaction() as session:
        statement = load(session, Statement, statement_id, lock=True)
        reference, paid_on = record.get("bank_reference"), record["paid_on"]
        if statement.status == "paid" and (statement.bank_reference, statement.paid_on) == (
                reference, paid_on):
            return statement
        errors = _payment_errors(statement, reference, paid_on)
        if errors:
            raise ValidationFailed("the payment does not settle the statement", errors=errors)
        statement.transition("pay")
        statement.paid_on, statement.bank_reference = paid_on, reference
        statement.paid_by, statement.paid_at = principal.subject, clock.now()
        session.flush()
        publish(session, events.STATEMENT_PAID, statement.id,
                events.statement_payload(statement, principal.subject),
                providerid=statement.provider_id)
        return statement


def _payment_errors(statement: Statement, reference: str | None,
                    paid_on: dt.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if statement.net_payable != 0 and not reference:
        errors["bank_reference"] = ["required: the net payable is settled by bank transfer"]
    if statement.net_payable == 0 and reference:
        errors["bank_reference"] = ["nothing was transferred: the net payable is 0"]
    if paid_on > clock.today():
        errors["paid_on"] = ["cannot be in the future"]
    elif paid_on < Month.parse(statement.month).next().start.astimezone(clock.WIB).date():
        errors["paid_on"] = ["cannot be before the statement's month ended"]
    return errors


def get_issued(db: Database, principal: Principal, statement_id: str) -> StatementView:
    """An issued statement by id (its provider's staff, auditors and admins)."""
    with db.reading() as session:
        statement = session.get(Statement, statement_id)
        if statement is None:
            raise NotFound("no such statement")
        try:
            access.ensure_reads_statements(principal, statement.provider_id)
        except NotFound:
            raise NotFound("no such statement") from None
        return issued_view(statement, _name(session, statement.provider_id))


def list_statements(db: Database, principal: Principal, args: dict[str, Any]) -> dict[str, Any]:
    """Issued statements the caller may see, newest issued first (keyset pages)."""
    query = scope_to_tenant(select(Statement), Statement.provider_id, principal)
    for name in ("provider_id", "month", "status"):
        if args.get(name) is not None:
            query = query.where(getattr(Statement, name) == args[name])
    with db.reading() as session:
        page = newest_first(session, query, Statement, args)
        names = _names(session, {s.provider_id for s in page["items"]})
        page["items"] = [issued_view(s, names.get(s.provider_id)) for s in page["items"]]
        return page


def issued_view(statement: Statement, provider_name: str | None) -> StatementView:
    """What an issued statement says (its frozen lines and figures, never recomputed)."""
    figures = Totals(**{f.name: getattr(statement, f.name)
                        for f in dataclasses.fields(Totals)})
    lines = [(Line(kind=row.kind, source_id=row.source_id, enrolment_id=row.enrolment_id,
                   booked_at=row.booked_at, amount=row.amount, platform_cash=row.platform_cash,
                   fee_withheld=row.fee_withheld, reference=row.reference), row.fee)
             for row in statement.lines]
    return StatementView(provider_id=statement.provider_id, provider_name=provider_name,
                         month=statement.month, status=statement.status,
                         fee_percent=statement.fee_percent, totals=figures, lines=lines,
                         statement=statement, currency=statement.currency)


def month_lines(session: Session, provider_id: str, month: Month) -> list[Line]:
    """The provider's money movements booked in ``month``, in booking order."""
    start, end = month.start, month.end
    lines = [_payment_line(p) for p in session.scalars(select(Payment).where(
        Payment.provider_id == provider_id, Payment.paid_at >= start, Payment.paid_at < end))]
    lines += [_refund_line(p) for p in session.scalars(select(Payment).where(
        Payment.provider_id == provider_id, Payment.status == "refunded",
        Payment.refunded_at >= start, Payment.refunded_at < end))]
    sponsored = select(Enrolment).where(Enrolment.provider_id == provider_id,
                                        Enrolment.sponsor_share > 0)
    lines += [_sponsor_line(e, "sponsor_commitment", e.confirmed_at) for e in session.scalars(
        sponsored.where(Enrolment.confirmed_at >= start, Enrolment.confirmed_at < end))]
    # Sponsors pay for training delivered: a confirmed enrolment cancelled later is
    # reversed in full (docs/SPONSORSHIP.md), in the month of its cancellation.
    lines += [_sponsor_line(e, "sponsor_reversal", e.closed_at) for e in session.scalars(
        sponsored.where(Enrolment.status == "cancelled", Enrolment.confirmed_at.is_not(None),
                        Enrolment.closed_at >= start, Enrolment.closed_at < end))]
    return sorted(lines, key=lambda line: (line.booked_at, ledger.KINDS.index(line.kind),
                                           line.source_id))


def _payment_line(payment: Payment) -> Line:
    assert payment.paid_at is not None  # selected by it
    if payment.method == "card":
        return Line(kind="card_payment", source_id=payment.id,
                    enrolment_id=payment.enrolment_id, booked_at=payment.paid_at,
                    amount=payment.amount, platform_cash=payment.destination_account is None,
                    fee_withheld=payment.application_fee,
                    reference=payment.payment_intent_id or payment.checkout_id)
    return Line(kind="bank_payment", source_id=payment.id, enrolment_id=payment.enrolment_id,
                booked_at=payment.paid_at, amount=payment.amount, platform_cash=False,
                reference=payment.invoice_number)


def _refund_line(payment: Payment) -> Line:
    assert payment.refunded_at is not None and payment.refund_amount is not None
    card = payment.method == "card"
    # Card refunds leave the platform's Stripe balance, destination charges' too.
    return Line(kind="card_refund" if card else "bank_refund", source_id=payment.id,
                enrolment_id=payment.enrolment_id, booked_at=payment.refunded_at,
                amount=-payment.refund_amount, platform_cash=card,
                reference=payment.refund_gateway_id if card else payment.refund_bank_reference)


def _sponsor_line(enrolment: Enrolment, kind: str, booked_at: dt.datetime | None) -> Line:
    assert booked_at is not None  # selected by it
    sign = 1 if kind == "sponsor_commitment" else -1
    return Line(kind=kind, source_id=enrolment.id, enrolment_id=enrolment.id,
                booked_at=booked_at, amount=sign * enrolment.sponsor_share, platform_cash=True)


def provider_name(db: Database, provider_id: str) -> str | None:
    """The provider's name as catalog last told us (None before its first event)."""
    with db.reading() as session:
        return _name(session, provider_id)


def _ensure_known(session: Session, provider_id: str) -> None:
    if not providers.is_known(session, provider_id):
        raise NotFound("no such provider")


def _name(session: Session, provider_id: str) -> str | None:
    provider = session.get(KnownProvider, provider_id)
    return provider.legal_name if provider is not None else None


def _names(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = session.execute(select(KnownProvider.id, KnownProvider.legal_name)
                           .where(KnownProvider.id.in_(ids)))
    return {provider_id: name for provider_id, name in rows}
