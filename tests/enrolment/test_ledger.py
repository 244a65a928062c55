"""Settlement arithmetic, directly: months in Jakarta, the fee's rounding, net payable."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.enrolment.ledger import Line, Month, fee_of, totals
from shared.clock import WIB

FIVE = Decimal(5)
AT = dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC)


def line(kind: str, amount: int, *, platform_cash: bool = True,
         fee_withheld: int | None = None) -> Line:
    return Line(kind=kind, source_id="x", enrolment_id="e", booked_at=AT, amount=amount,
                platform_cash=platform_cash, fee_withheld=fee_withheld)


def card(amount: int) -> Line:
    return line("card_payment", amount)


def bank(amount: int) -> Line:
    return line("bank_payment", amount, platform_cash=False)


def destination(amount: int, fee: int) -> Line:
    return line("card_payment", amount, platform_cash=False, fee_withheld=fee)


# ---------------------------------------------------------------- months

def test_a_month_is_a_jakarta_calendar_month():
    march = Month.parse("2026-03")

    assert march.start == dt.datetime(2026, 2, 28, 17, 0, tzinfo=dt.UTC)
    assert march.end == dt.datetime(2026, 3, 31, 17, 0, tzinfo=dt.UTC)
    assert str(march) == "2026-03" and march.next() == Month(2026, 4)
    assert Month(2026, 12).next() == Month(2027, 1)


@pytest.mark.parametrize(("moment", "month"), [
    # 23:59:59 WIB on 31 March is March; a second later (17:00 UTC) is April.
    (dt.datetime(2026, 3, 31, 16, 59, 59, tzinfo=dt.UTC), "2026-03"),
    (dt.datetime(2026, 3, 31, 17, 0, 0, tzinfo=dt.UTC), "2026-04"),
    # 00:00 WIB on 1 March is still 28 February in UTC, but March in Jakarta.
    (dt.datetime(2026, 3, 1, 0, 0, tzinfo=WIB), "2026-03"),
    (dt.datetime(2026, 2, 28, 16, 59, 59, tzinfo=dt.UTC), "2026-02"),
    (dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC), "2027-01"),
])
def test_the_month_boundary_is_midnight_in_jakarta(moment, month):
    assert str(Month.of(moment)) == month
    assert Month.parse(month).contains(moment)
    assert not Month.parse(month).next().contains(moment)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-1", "26-01", "2026/01",
                                  "1999-12", "", "2026-01 ", "２０２６-01"])
def test_anything_but_a_real_month_is_refused(text):
    with pytest.raises(ValueError):
        Month.parse(text)


# ---------------------------------------------------------------- the fee

@pytest.mark.parametrize(("amount", "percent", "fee"), [
    (10_000_000, FIVE, 500_000),
    (10, FIVE, 1),          # 0.5 rounds half up
    (9, FIVE, 0),           # 0.45 rounds down
    (-10, FIVE, -1),        # a refund gives back exactly the fee of the same amount
    (1_234_567, Decimal("2.5"), 30_864),  # 30 864.175
    (1_000_000, Decimal(0), 0),
])
def test_the_fee_is_rounded_half_up_per_line_with_the_amounts_sign(amount, percent, fee):
    assert fee_of(amount, percent) == fee


# ---------------------------------------------------------------- statements

def test_card_only_the_platform_owes_the_money_less_the_fee():
    figures = totals([card(4_500_000), card(3_000_000)], FIVE)

    assert figures.card_collected == 7_500_000 and figures.card_collected_direct == 0
    assert figures.fee == 375_000 and figures.fee_withheld == 0
    assert figures.platform_cash == 7_500_000
    assert figures.net_payable == 7_125_000


def test_bank_only_the_provider_owes_the_fee_a_negative_net():
    figures = totals([bank(4_500_000)], FIVE)

    assert figures.bank_received == 4_500_000 and figures.platform_cash == 0
    assert figures.net_payable == -225_000


def test_refunds_give_back_money_and_fee():
    figures = totals([card(4_500_000), line("card_refund", -2_250_000),
                      bank(3_000_000), line("bank_refund", -3_000_000, platform_cash=False)],
                     FIVE)

    assert figures.card_refunded == 2_250_000 and figures.bank_refunded == 3_000_000
    # platform: 4.5M in, 2.25M back; fee on 4.5M − 2.25M + 3M − 3M = 2.25M
    assert figures.platform_cash == 2_250_000 and figures.fee == 112_500
    assert figures.net_payable == 2_137_500


def test_sponsor_commitments_are_owed_through_the_platform_less_reversals():
    figures = totals([line("sponsor_commitment", 6_000_000), bank(1_500_000),
                      line("sponsor_reversal", -2_000_000)], FIVE)

    assert figures.sponsor_committed == 6_000_000 and figures.sponsor_reversed == 2_000_000
    assert figures.platform_cash == 4_000_000
    assert figures.fee == 300_000 - 100_000 + 75_000
    assert figures.net_payable == 4_000_000 - 275_000


def test_destination_charges_are_paid_already_only_the_remainder_settles():
    alone = totals([destination(4_500_000, 225_000)], FIVE)
    assert alone.card_collected == alone.card_collected_direct == 4_500_000
    assert alone.fee == alone.fee_withheld == 225_000
    assert alone.net_payable == 0

    # With a sponsor's share and a bank transfer beside it.
    mixed = totals([destination(4_500_000, 225_000), line("sponsor_commitment", 1_000_000),
                    bank(2_000_000)], FIVE)
    assert mixed.net_payable == 1_000_000 - (50_000 + 100_000)


def test_the_withheld_fee_is_what_stripe_kept_even_when_the_percent_changed():
    # Charged at 5 %, the statement computed at 10 %: the charge's fee stays 5 %.
    figures = totals([destination(1_000_000, 50_000), card(1_000_000)], Decimal(10))

    assert figures.fee == 50_000 + 100_000 and figures.fee_withheld == 50_000
    assert figures.net_payable == 1_000_000 - 100_000


def test_a_refunded_destination_charge_is_owed_back_by_the_provider():
    # Stripe refunds from the platform's balance; the provider kept 4.5M − 225k.
    figures = totals([line("card_refund", -4_500_000)], FIVE)

    assert figures.platform_cash == -4_500_000 and figures.fee == -225_000
    assert figures.net_payable == -4_275_000


def test_an_empty_month_is_all_zeros():
    figures = totals([], FIVE)

    assert figures.net_payable == figures.fee == figures.platform_cash == 0


def test_an_unknown_kind_is_a_bug_not_a_figure():
    with pytest.raises(ValueError):
        totals([line("tip", 5)], FIVE)
