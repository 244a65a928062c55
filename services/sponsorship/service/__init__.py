"""Sponsorship's use cases, one module per resource; each function holds its transaction."""

from services.sponsorship.service.funds import (
    adjust_fund,
    close_fund,
    create_fund,
    deposit,
    get_fund,
    list_funds,
    list_transactions,
)
from services.sponsorship.service.offers import (
    create_offer,
    fund_refusals,
    get_offer,
    list_offers,
    publish_offer,
    withdraw_offer,
)
from services.sponsorship.service.quotes import QuoteResult, quote
from services.sponsorship.service.reservations import get_reservation, list_reservations
from services.sponsorship.service.sponsors import (
    approve_sponsor,
    get_sponsor,
    list_sponsors,
    register_sponsor,
    suspend_sponsor,
    update_sponsor,
)

__all__ = [
    "QuoteResult",
    "adjust_fund",
    "approve_sponsor",
    "close_fund",
    "create_fund",
    "create_offer",
    "deposit",
    "fund_refusals",
    "get_fund",
    "get_offer",
    "get_reservation",
    "get_sponsor",
    "list_funds",
    "list_offers",
    "list_reservations",
    "list_sponsors",
    "list_transactions",
    "publish_offer",
    "quote",
    "register_sponsor",
    "suspend_sponsor",
    "update_sponsor",
    "withdraw_offer",
]
