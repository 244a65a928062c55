"""Sponsorship's entities on one declarative base, one module per concept.

Entities guard their own invariants: state changes go through methods that ask
:mod:`services.sponsorship.lifecycle`; use cases never assign ``status``.
"""

from services.sponsorship.models.base import Base, new_id, utcnow
from services.sponsorship.models.funds import Fund, FundTransaction
from services.sponsorship.models.offers import Offer
from services.sponsorship.models.replicas import SessionFacts, SmeFacts
from services.sponsorship.models.reservations import Reservation, ReservationLine
from services.sponsorship.models.sponsors import Sponsor

__all__ = [
    "Base",
    "Fund",
    "FundTransaction",
    "Offer",
    "Reservation",
    "ReservationLine",
    "SessionFacts",
    "SmeFacts",
    "Sponsor",
    "new_id",
    "utcnow",
]
