"""Settlement arithmetic, pure: statement months, the platform fee, and what the platform owes.

A provider's monthly statement is a list of :class:`Line` – one per money movement
booked in the month – and the :class:`Totals` computed from them here, with no
database and no clock, so every formula is tested directly.

**Months** are Jakarta calendar months (WIB, UTC+7): ``2026-03`` runs from
2026-03-01 00:00 WIB to 2026-04-01 00:00 WIB. A line belongs to the month of the
moment SCORE *recorded* it (its booking time): a card payment when the webhook
said paid, a bank transfer when the provider confirmed it, a refund when it was
completed, a sponsor commitment when the enrolment was confirmed, a reversal when
the confirmed enrolment was cancelled. Recording times only grow, so a statement
issued after its month ended never misses a line that is recorded later.

**Lines** (``amount`` is signed: + money earned, − money given back):

=====================  ======================================  ===============
kind                   amount                                  platform cash?
=====================  ======================================  ===============
card_payment           + the SME's card payment (gross)        yes; no for a
                                                               destination charge
card_refund            − the refund to the SME's card           yes (Stripe takes
                                                               it from the platform)
bank_payment           + the transfer the provider received     no
bank_refund            − the transfer the provider sent back    no
sponsor_commitment     + the enrolment's ``sponsor_share``      yes
sponsor_reversal       − that share, when the confirmed         yes
                       enrolment is cancelled
=====================  ======================================  ===============

"Platform cash" says whose balance the money moved through. Card money is
collected by the platform's Stripe account – unless the provider has a Stripe
connected account, when the charge is a *destination charge*: Stripe pays it to
the provider at once and keeps the platform fee (``application_fee_amount``).
Refunds are made from the platform's balance in both cases (Stripe's default for
destination charges), so the provider owes a refunded destination charge back.
Sponsor shares are owed by the sponsors' funds through the platform, which pays
them to the provider.

**Fee**: ``fee(line) = round_half_up(|amount| × percent / 100)`` with the line's
sign – a refund or reversal gives back the fee of the money it returns. Each line
is rounded to whole rupiah on its own (totals are exact sums of the lines, so a
statement adds up line by line); a destination charge's fee is the one Stripe
withheld when it was charged (computed the same way, with the percent then in force).

**Net payable** (what the platform owes the provider; negative: the provider owes
the platform)::

    net_payable = platform_cash − (fee − fee_withheld)

    platform_cash = card collected on the platform's account − card refunds
                    + sponsor commitments − sponsor reversals
    fee           = Σ fee(line) over every line
    fee_withheld  = the fees Stripe already kept from destination charges

So a provider paid only by bank transfer has a negative net payable (it owes the
fee on money it received directly), and a provider with destination charges only
settles the remainder.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from shared.clock import WIB

KINDS = ("card_payment", "card_refund", "bank_payment", "bank_refund",
         "sponsor_commitment", "sponsor_reversal")
MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
FIRST_YEAR = 2000  # before SCORE's marketplace; a month before it is a typo


@dataclasses.dataclass(frozen=True, order=True)
class Month:
    """A Jakarta calendar month."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """``"2026-03"`` (``ValueError`` for anything else, ``"2026-13"`` included)."""
        if not isinstance(text, str) or not re.fullmatch(MONTH_PATTERN, text):
            raise ValueError("a month is YYYY-MM, MM from 01 to 12")
        year, month = int(text[:4]), int(text[5:])
        if year < FIRST_YEAR:
            raise ValueError(f"no statements before {FIRST_YEAR}")
        return cls(year, month)

    @classmethod
    def of(cls, moment: dt.datetime) -> Month:
        """The Jakarta month of an aware ``moment``."""
        local = moment.astimezone(WIB)
        return cls(local.year, local.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> dt.datetime:
        """The month's first moment (00:00 WIB on the 1st), in UTC."""
        return dt.datetime(self.year, self.month, 1, tzinfo=WIB).astimezone(dt.UTC)

    @property
    def end(self) -> dt.datetime:
        """The next month's first moment, in UTC (the month is ``[start, end)``)."""
        return self.next().start

    def next(self) -> Month:
        """The month after this one."""
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def contains(self, moment: dt.datetime) -> bool:
        """True when ``moment`` falls in this month in Jakarta."""
        return self.start <= moment < self.end


@dataclasses.dataclass(frozen=True)
class Line:
    """One money movement of a provider's month.

    ``fee_withheld``: for a destination charge, the platform fee Stripe already kept
    (the line's fee); None for every other line (its fee is computed).
    """

    kind: str
    source_id: str  # the payment (payments, refunds) or the enrolment (sponsor lines)
    enrolment_id: str
    booked_at: dt.datetime
    amount: int
    platform_cash: bool
    fee_withheld: int | None = None
    reference: str | None = None  # an invoice number, a payment intent: for people

    def fee(self, percent: Decimal) -> int:
        """The platform fee of this line (signed like the amount)."""
        if self.fee_withheld is not None:
            return self.fee_withheld
        return fee_of(self.amount, percent)


@dataclasses.dataclass(frozen=True)
class Totals:
    """A statement's figures, whole rupiah (see the module docstring for the formulas)."""

    card_collected: int
    card_collected_direct: int  # of which destination charges, paid to the provider by Stripe
    card_refunded: int
    bank_received: int
    bank_refunded: int
    sponsor_committed: int
    sponsor_reversed: int
    platform_cash: int
    fee: int
    fee_withheld: int
    net_payable: int


def fee_of(amount: int, percent: Decimal) -> int:
    """``percent`` of ``amount``, rounded half up to whole rupiah, with the amount's sign."""
    magnitude = (Decimal(abs(amount)) * percent / 100).quantize(Decimal(1), ROUND_HALF_UP)
    return int(magnitude) if amount >= 0 else -int(magnitude)


def totals(lines: Iterable[Line], percent: Decimal) -> Totals:
    """The figures of a month's ``lines`` at a platform fee of ``percent``."""
    lines = list(lines)
    unknown = {line.kind for line in lines} - set(KINDS)
    if unknown:
        raise ValueError(f"unknown line kinds {sorted(unknown)}")

    def total(kind: str, *, direct: bool | None = None) -> int:
        return sum(abs(line.amount) for line in lines if line.kind == kind
                   and (direct is None or direct != line.platform_cash))

    platform_cash = sum(line.amount for line in lines if line.platform_cash)
    fee = sum(line.fee(percent) for line in lines)
    withheld = sum(line.fee_withheld for line in lines if line.fee_withheld is not None)
    return Totals(
        card_collected=total("card_payment"),
        card_collected_direct=total("card_payment", direct=True),
        card_refunded=total("card_refund"),
        bank_received=total("bank_payment"),
        bank_refunded=total("bank_refund"),
        sponsor_committed=total("sponsor_commitment"),
        sponsor_reversed=total("sponsor_reversal"),
        platform_cash=platform_cash, fee=fee, fee_withheld=withheld,
        net_payable=platform_cash - (fee - withheld))
