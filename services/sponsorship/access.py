"""Who sees and changes what in sponsorship (foreign rows look absent: 404).

- ``sponsor_staff`` act for one sponsor (``principal.org``): its profile, funds,
  ledger, offers (all states), the reservations its funds pay, its reports;
- an ``sme_user`` acts for one SME: quotes for it, and the reservations (the
  offers applied) of its enrolments;
- ``provider_staff`` see the reservations of their provider's sessions (what
  sponsors owe them);
- published offers are public, so SMEs can see what sponsors pay for;
- the ILO auditor and platform admins read everything; a platform admin approves
  and suspends sponsors (the auditor writes nothing: refused by ``shared.auth``).
"""

from __future__ import annotations

from services.sponsorship.models import Reservation
from shared.auth import Principal
from shared.errors import Forbidden, NotFound


def acts_for_sponsor(principal: Principal | None, sponsor_id: str) -> bool:
    """The caller is staff of this sponsor."""
    return (principal is not None and principal.role == "sponsor_staff"
            and principal.acts_for(sponsor_id))


def acts_for_sme(principal: Principal | None, sme_id: str) -> bool:
    """The caller is a user of this SME."""
    return principal is not None and principal.role == "sme_user" and principal.acts_for(sme_id)


def reads_sponsor(principal: Principal | None, sponsor_id: str) -> bool:
    """The sponsor's own staff, auditors and admins."""
    return principal is not None and (principal.reads_everything
                                      or acts_for_sponsor(principal, sponsor_id))


def ensure_reads_sponsor(principal: Principal | None, sponsor_id: str,
                         what: str = "sponsor") -> None:
    """404 unless the caller may read the sponsor's private data."""
    if not reads_sponsor(principal, sponsor_id):
        raise NotFound(f"no such {what}")


def ensure_staff_of(principal: Principal, sponsor_id: str, what: str = "sponsor") -> None:
    """Writes on a sponsor's funds and offers: its own staff only (others: 404 or 403)."""
    if acts_for_sponsor(principal, sponsor_id):
        return
    if principal.reads_everything:
        raise Forbidden(f"only the sponsor's staff may change its {what}s")
    raise NotFound(f"no such {what}")


def reads_reservation(principal: Principal | None, reservation: Reservation) -> bool:
    """The SME, the session's provider, the paying sponsors, auditors and admins."""
    if principal is None:
        return False
    return (principal.reads_everything or acts_for_sme(principal, reservation.sme_id)
            or (principal.role == "provider_staff"
                and principal.acts_for(reservation.provider_id))
            or any(acts_for_sponsor(principal, line.sponsor_id)
                   for line in reservation.lines))
