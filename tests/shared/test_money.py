"""Whole rupiah: display per language, Stripe's minor units."""

import pytest

from shared.money import format_idr, from_stripe_amount, to_stripe_amount


@pytest.mark.parametrize(("amount", "language", "shown"), [
    (1_500_000, "id", "Rp1.500.000"),
    (1_500_000, "en", "IDR1,500,000"),
    (0, "id", "Rp0"),
])
def test_amounts_are_shown_in_whole_rupiah_for_each_language(amount, language, shown):
    assert format_idr(amount, language) == shown


def test_stripe_gets_rupiah_times_one_hundred_and_back():
    assert to_stripe_amount(1_500_000) == 150_000_000
    assert from_stripe_amount(150_000_000) == 1_500_000


@pytest.mark.parametrize("bad", [1.5, "100", True])
def test_money_must_be_an_integer(bad):
    with pytest.raises(TypeError):
        to_stripe_amount(bad)


def test_negative_charges_and_fractional_rupiah_are_refused():
    with pytest.raises(ValueError):
        to_stripe_amount(-1)
    with pytest.raises(ValueError):
        from_stripe_amount(150)
