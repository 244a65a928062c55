"""Enrolment's entities on one declarative base, one module per concept.

Entities guard their own invariants: state changes go through methods that ask
:mod:`services.enrolment.lifecycle`; use cases never assign ``status``.
"""

from services.enrolment.models.base import Base, new_id, utcnow
from services.enrolment.models.case_studies import CaseStudy, CaseStudyConsent
from services.enrolment.models.delivery import AttendanceMark, Visit
from services.enrolment.models.enrolments import Enrolment, Participant, WaitlistEntry
from services.enrolment.models.kpis import KpiReport
from services.enrolment.models.notifications import Notification
from services.enrolment.models.payments import InvoiceCounter, Payment, StripeEvent
from services.enrolment.models.providers import KnownProvider
from services.enrolment.models.sessions import OfferedSession
from services.enrolment.models.smes import Sme
from services.enrolment.models.statements import Statement, StatementLine

__all__ = [
    "AttendanceMark",
    "Base",
    "CaseStudy",
    "CaseStudyConsent",
    "Enrolment",
    "InvoiceCounter",
    "KnownProvider",
    "KpiReport",
    "Notification",
    "OfferedSession",
    "Participant",
    "Payment",
    "Sme",
    "Statement",
    "StatementLine",
    "StripeEvent",
    "Visit",
    "WaitlistEntry",
    "new_id",
    "utcnow",
]
