"""Who reads payments: whoever reads their enrolment (the SME, its provider, auditors, admins)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.enrolment import access
from services.enrolment.models import Enrolment, OfferedSession, Payment
from shared.auth import Principal
from shared.db import Database
from shared.errors import NotFound


def get_payment(db: Database, principal: Principal, payment_id: str) -> Payment:
    """One payment (404 when absent or not the caller's to see)."""
    with db.reading() as session:
        payment = session.get(Payment, payment_id)
        if payment is None or not _reads(session, principal, payment.enrolment_id):
            raise NotFound("no such payment")
        return payment


def list_payments(db: Database, principal: Principal, enrolment_id: str) -> list[Payment]:
    """An enrolment's payments, oldest first (404 when the enrolment is not the caller's)."""
    with db.reading() as session:
        if not _reads(session, principal, enrolment_id):
            raise NotFound("no such enrolment")
        return list(session.scalars(select(Payment).where(Payment.enrolment_id == enrolment_id)
                                    .order_by(Payment.created_at, Payment.id)))


def _reads(session: Session, principal: Principal, enrolment_id: str) -> bool:
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None:
        return False
    offered = session.get(OfferedSession, enrolment.session_id)
    return offered is not None and access.can_read_enrolment(principal, enrolment, offered)
