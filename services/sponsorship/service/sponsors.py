"""Sponsor use cases: register, edit, approve, suspend; reads with visibility."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.sponsorship import access, events
from services.sponsorship.models import Sponsor
from shared import clock
from shared.auth import Principal, scope_to_tenant
from shared.db import Database
from shared.errors import Conflict, Forbidden
from shared.events import publish
from shared.locks import serialise_on
from shared.pages import newest_first
from shared.persistence import assign, load


def register_sponsor(db: Database, principal: Principal, data: dict[str, Any]) -> Sponsor:
    """A new sponsor, pending approval; identity makes the registering user its staff.

    One per account, as for providers: registrations by one user are serialised,
    so two sent at once also yield one sponsor.
    """
    if principal.role != "sponsor_staff" or principal.org is not None:
        raise Forbidden("only sponsor staff not yet acting for a sponsor may register one")
    with db.transaction() as session:
        serialise_on(session, f"sponsor-registration:{principal.subject}")
        earlier = session.scalar(select(Sponsor.id)
                                 .where(Sponsor.registered_by == principal.subject))
        if earlier is not None:
            raise Conflict(f"you have already registered sponsor {earlier}; an account "
                           "registers one sponsor")
        sponsor = Sponsor(**data, registered_by=principal.subject)
        session.add(sponsor)
        session.flush()
        publish(session, events.SPONSOR_REGISTERED, sponsor.id,
                {**events.sponsor_payload(sponsor, principal.subject),
                 "registered_by": principal.subject})
        return sponsor


def update_sponsor(db: Database, principal: Principal, sponsor_id: str,
                   changes: dict[str, Any]) -> Sponsor:
    """Edit the sponsor's contact details (its own staff); no event: nothing reads them."""
    access.ensure_staff_of(principal, sponsor_id)
    with db.transaction() as session:
        sponsor = load(session, Sponsor, sponsor_id, lock=True)
        assign(sponsor, changes)
        return sponsor


def approve_sponsor(db: Database, principal: Principal, sponsor_id: str,
                    reason: str | None) -> Sponsor:
    """Approve a pending sponsor or reinstate a suspended one (platform admin)."""
    return _change_status(db, principal, sponsor_id, "approve", reason)


def suspend_sponsor(db: Database, principal: Principal, sponsor_id: str,
                    reason: str) -> Sponsor:
    """Suspend an approved sponsor (platform admin): its offers stop matching."""
    return _change_status(db, principal, sponsor_id, "suspend", reason)


def _change_status(db: Database, principal: Principal, sponsor_id: str, action: str,
                   reason: str | None) -> Sponsor:
    if principal.role != "platform_admin":
        raise Forbidden("only a platform admin approves or suspends sponsors")
    with db.transaction() as session:
        sponsor = load(session, Sponsor, sponsor_id, lock=True)
        sponsor.transition(action, reason, clock.now())
        session.flush()
        kind = events.SPONSOR_APPROVED if action == "approve" else events.SPONSOR_SUSPENDED
        publish(session, kind, sponsor.id, events.sponsor_payload(sponsor, principal.subject))
        return sponsor


def get_sponsor(db: Database, principal: Principal | None, sponsor_id: str) -> Sponsor:
    """A sponsor: approved ones are public (their offers are); others their staff and readers."""
    with db.reading() as session:
        sponsor = load(session, Sponsor, sponsor_id)
        if sponsor.status != "approved":
            access.ensure_reads_sponsor(principal, sponsor_id)
        return sponsor


def list_sponsors(db: Database, principal: Principal | None,
                  args: dict[str, Any]) -> dict[str, Any]:
    """Sponsors newest first: approved ones for anyone; other states for readers of them."""
    query = select(Sponsor)
    status = args.get("status", "approved")
    query = query.where(Sponsor.status == status)
    if status != "approved":
        query = scope_to_tenant(query, Sponsor.id, principal)
    if args.get("kind"):
        query = query.where(Sponsor.kind == args["kind"])
    with db.reading() as session:
        return newest_first(session, query, Sponsor, args)
