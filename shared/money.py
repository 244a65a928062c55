"""Whole rupiah: integers in storage, Babel for display, ×100 for Stripe.

Stripe treats IDR as a two-decimal currency although rupiah have no minor
unit in practice, so amounts sent to Stripe are rupiah × 100.
"""

from __future__ import annotations

from babel.numbers import format_currency

CURRENCY = "IDR"
LOCALES = {"id": "id_ID", "en": "en"}


def format_idr(amount: int, language: str = "id") -> str:
    """``Rp1.500.000`` in Bahasa Indonesia, ``IDR1,500,000`` in English."""
    _require_whole(amount)
    locale = LOCALES.get(language, language)
    # Whole rupiah: the locale's grouping, never decimals.
    return format_currency(amount, CURRENCY, locale=locale, currency_digits=False,
                           format="¤#,##0")


def to_stripe_amount(amount: int) -> int:
    """Rupiah → the minor units Stripe expects for IDR."""
    _require_whole(amount)
    if amount < 0:
        raise ValueError("a charge cannot be negative")
    return amount * 100


def from_stripe_amount(minor: int) -> int:
    """Stripe's IDR minor units → whole rupiah (refuses fractions of a rupiah)."""
    if minor % 100:
        raise ValueError(f"{minor} is not a whole number of rupiah")
    return minor // 100


def _require_whole(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"money is whole rupiah as int, not {type(amount).__name__}")
