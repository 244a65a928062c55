"""Who sees and changes what in enrolment (foreign rows look absent: 404).

- an ``sme_user`` acts for one SME (``principal.org``): its profile, enrolments, KPIs;
- ``provider_staff`` act for one provider: enrolments of its sessions, invoices,
  attendance, visits;
- a ``trainer`` sees the participants and attendance of sessions listing them as a
  trainer (``principal.subject`` is the trainer id) and records attendance and visits;
- the ILO auditor and platform admins read everything (the auditor writes nothing:
  refused globally by ``shared.auth``);
- settlement statements: a provider's staff read their own provider's, auditors and
  admins every provider's; only platform admins issue them and mark them paid.
"""

from __future__ import annotations

from services.enrolment.models import Enrolment, OfferedSession
from shared.auth import Principal
from shared.errors import Forbidden, NotFound


def acts_for_sme(principal: Principal, sme_id: str) -> bool:
    """The caller is a user of this SME."""
    return principal.role == "sme_user" and principal.acts_for(sme_id)


def acts_for_provider(principal: Principal, provider_id: str) -> bool:
    """The caller is staff of this provider."""
    return principal.role == "provider_staff" and principal.acts_for(provider_id)


def trains(principal: Principal, offered: OfferedSession) -> bool:
    """The caller is a trainer assigned to this session."""
    return principal.role == "trainer" and principal.subject in offered.trainer_ids()


def require_sme(principal: Principal, sme_id: str) -> None:
    """Only the SME's own users may act for it."""
    if not acts_for_sme(principal, sme_id):
        raise NotFound("no such SME")


def can_read_enrolment(principal: Principal, enrolment: Enrolment,
                       offered: OfferedSession) -> bool:
    """The SME, the session's provider and trainers, auditors and admins."""
    return (principal.reads_everything or acts_for_sme(principal, enrolment.sme_id)
            or acts_for_provider(principal, enrolment.provider_id) or trains(principal, offered))


def ensure_reads_enrolment(principal: Principal, enrolment: Enrolment,
                           offered: OfferedSession) -> None:
    """404 unless the caller may see this enrolment."""
    if not can_read_enrolment(principal, enrolment, offered):
        raise NotFound("no such enrolment")


def ensure_delivers(principal: Principal, enrolment: Enrolment, offered: OfferedSession) -> None:
    """Attendance and visits: the session's provider staff or one of its trainers."""
    ensure_reads_enrolment(principal, enrolment, offered)
    if not (acts_for_provider(principal, enrolment.provider_id) or trains(principal, offered)):
        raise Forbidden("only the session's provider or its trainers record delivery")


def ensure_provider(principal: Principal, enrolment: Enrolment, offered: OfferedSession) -> None:
    """Payments received, refunds paid out: the session's provider staff only."""
    ensure_reads_enrolment(principal, enrolment, offered)
    if not acts_for_provider(principal, enrolment.provider_id):
        raise Forbidden("only the session's provider does this")


def ensure_reads_statements(principal: Principal, provider_id: str) -> None:
    """A provider's statements: its staff, auditors and admins (anyone else: 404)."""
    if not (principal.reads_everything or acts_for_provider(principal, provider_id)):
        raise NotFound("no such provider")


def ensure_settles(principal: Principal) -> None:
    """Issuing statements and recording their payment: platform admins only (403)."""
    if principal.role != "platform_admin":
        raise Forbidden("only a platform admin settles statements")
