"""A provider's March 2026 in rows: payments, refunds and sponsor shares at the month's edges."""

from __future__ import annotations

import datetime as dt

from services.enrolment.models import Enrolment, KnownProvider, Payment
from tests.enrolment import payments_world as w

PROVIDER = w.PROVIDER
OTHER = "7c0ffee0-0000-4000-8000-000000000002"
MONTH = "2026-03"
UTC = dt.UTC


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def seed(db) -> dict[str, str]:
    """Two providers; PROVIDER's March 2026 (Jakarta) has one line of each kind.

    Returns the ids of the rows, by name.
    """
    w.seed_world(db)
    w.seed_world(db, session_id="s2", provider_id=OTHER)
    with db.transaction() as session:
        session.add(KnownProvider(id=PROVIDER, legal_name="Lembaga Satu", status="approved"))
        session.add(KnownProvider(id=OTHER, legal_name="Lembaga Dua", status="approved",
                                  stripe_account_id="acct_B2"))
    e1, e2, e3 = (w.hold(db, sme_id=f"sme{n}", size=2) for n in (1, 2, 3))
    e4 = w.hold(db, sme_id="sme4", size=2, session_id="s2")
    ids = {"e1": e1, "e2": e2, "e3": e3, "e4": e4}
    with db.transaction() as session:
        # e2: 6M of its 3M × 2 paid by a sponsor, confirmed on 5 March.
        _sponsor(session.get(Enrolment, e2), 2_000_000, "confirmed", confirmed=at(2026, 3, 5))
        # e3: 1M sponsored, confirmed in February, cancelled on 20 March: reversed in March.
        _sponsor(session.get(Enrolment, e3), 1_000_000, "cancelled", confirmed=at(2026, 2, 10),
                 closed=at(2026, 3, 20))
        payments = {
            # 23:59:59 WIB on 31 March: March.
            "card_march": _card(e1, 3_000_000, paid=at(2026, 3, 31, 16, 59, 59)),
            # 00:00 WIB on 1 April: April, not March.
            "card_april": _card(e1, 1_000_000, paid=at(2026, 3, 31, 17, 0, 0)),
            # 00:00 WIB on 1 March (still February in UTC): March.
            "bank_march": _bank(e1, 2_000_000, paid=at(2026, 2, 28, 17, 0, 0)),
            # Paid in February, half refunded in March.
            "card_refunded": _card(e3, 3_000_000, paid=at(2026, 2, 10),
                                   refunded=(1_500_000, at(2026, 3, 10))),
            # The other provider's destination charge in March: not PROVIDER's.
            "other_card": _card(e4, 3_000_000, paid=at(2026, 3, 15), provider=OTHER,
                                destination=("acct_B2", 150_000)),
        }
        for payment in payments.values():
            session.add(payment)
        session.flush()
        ids.update({name: p.id for name, p in payments.items()})
    return ids


def _sponsor(enrolment: Enrolment, share: int, status: str, *, confirmed: dt.datetime,
             closed: dt.datetime | None = None) -> None:
    enrolment.sponsor_share, enrolment.sme_share = share, enrolment.amount_due - share
    enrolment.status, enrolment.confirmed_at, enrolment.closed_at = status, confirmed, closed
    enrolment.expires_at = None


def _card(enrolment_id: str, amount: int, *, paid: dt.datetime, provider: str = PROVIDER,
          refunded: tuple[int, dt.datetime] | None = None,
          destination: tuple[str, int] | None = None) -> Payment:
    payment = Payment(enrolment_id=enrolment_id, provider_id=provider, method="card",
                      gateway="stripe", amount=amount, status="paid", paid_at=paid,
                      payment_intent_id=f"pi_{paid.timestamp():.0f}")
    if destination is not None:
        payment.destination_account, payment.application_fee = destination
    if refunded is not None:
        payment.status, (payment.refund_amount, payment.refunded_at) = "refunded", refunded
        payment.refund_gateway_id = "re_1"
    return payment


def _bank(enrolment_id: str, amount: int, *, paid: dt.datetime) -> Payment:
    return Payment(enrolment_id=enrolment_id, provider_id=PROVIDER, method="bank_transfer",
                   gateway="bank", amount=amount, status="paid", paid_at=paid,
                   invoice_number="=1+1", received_amount=amount,  # CSV defuses formulas
                   received_on=paid.date(), bank_reference="BCA 1")


# PROVIDER's March at 5 %:
#   card 3M (platform), bank 2M (direct), card refund −1.5M (platform),
#   sponsor +2M, reversal −1M
#   platform_cash = 3M − 1.5M + 2M − 1M = 2.5M
#   fee = 150k + 100k − 75k + 100k − 50k = 225k
#   net payable = 2.5M − 225k = 2.275M
MARCH = {"card_collected": 3_000_000, "card_collected_direct": 0, "card_refunded": 1_500_000,
         "bank_received": 2_000_000, "bank_refunded": 0, "sponsor_committed": 2_000_000,
         "sponsor_reversed": 1_000_000, "platform_cash": 2_500_000, "fee": 225_000,
         "fee_withheld": 0, "net_payable": 2_275_000}
