"""Certification's entities on one declarative base, one module per concept.

Entities guard their own invariants: state changes go through methods that ask
:mod:`services.certification.lifecycle`; use cases never assign ``status``.
"""

from services.certification.models.base import Base, new_id, utcnow
from services.certification.models.credentials import Credential, StatusList
from services.certification.models.evidence import Evidence, ProgressReport, Recommendation
from services.certification.models.trainers import ModuleStatus, Trainer

__all__ = [
    "Base",
    "Credential",
    "Evidence",
    "ModuleStatus",
    "ProgressReport",
    "Recommendation",
    "StatusList",
    "Trainer",
    "new_id",
    "utcnow",
]
