"""Provider use cases: register, edit, approve, suspend; reads with visibility."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.catalog import access, events, reference
from services.catalog.models import Provider
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.errors import Conflict, Forbidden, NotFound
from shared.events import publish
from shared.locks import serialise_on
from shared.persistence import assign, load, unique_violation

PUBLIC_STATUSES = {"approved"}


def register_provider(db: Database, principal: Principal, data: dict[str, Any]) -> Provider:
    """A new provider, pending approval; identity makes the registering user its staff.

    One per user: until identity has granted the membership, the user's token
    still acts for no provider, so the rule is kept here too. Registrations by one
    user are serialised, so two sent at once also yield one provider.
    """
    if principal.role != "provider_staff" or principal.org is not None:
        raise Forbidden("only provider staff not yet acting for a provider may register one")
    with db.transaction() as session:
        serialise_on(session, f"provider-registration:{principal.subject}")
        earlier = session.scalar(select(Provider.id)
                                 .where(Provider.registered_by == principal.subject))
        if earlier is not None:
            raise Conflict(f"you have already registered provider {earlier}; an account "
                           "registers one provider")
        provinces = reference.require_provinces(
            session, data["provinces_served"], "provinces_served")
        if session.scalar(select(Provider.id).where(Provider.npwp == data["npwp"])):
            raise Conflict("a provider with this NPWP is registered",
                           errors={"npwp": ["already registered"]})
        fields = {k: v for k, v in data.items() if k != "provinces_served"}
        provider = Provider(**fields, provinces=provinces, registered_by=principal.subject)
        session.add(provider)
        with unique_violation("a provider with this NPWP is registered",
                              {"npwp": ["already registered"]}):
            session.flush()
        publish(session, events.PROVIDER_REGISTERED, provider.id,
                {**events.provider_payload(provider, principal.subject),
                 "registered_by": principal.subject}, providerid=provider.id)
        return provider


def update_provider(db: Database, principal: Principal, provider_id: str,
                    changes: dict[str, Any]) -> Provider:
    """Edit the provider's profile (its own staff)."""
    access.require_staff_of(principal, provider_id)
    with db.transaction() as session:
        provider = load(session, Provider, provider_id, lock=True)
        provider.ensure_editable()
        changes = dict(changes)
        changed = False
        if "provinces_served" in changes:
            provinces = reference.require_provinces(
                session, changes.pop("provinces_served"), "provinces_served")
            if [p.bps_code for p in provinces] != provider.provinces_served:
                provider.provinces, changed = provinces, True
        changed = assign(provider, changes) or changed
        if changed:
            session.flush()
            publish(session, events.PROVIDER_UPDATED, provider.id,
                    events.provider_payload(provider, principal.subject), providerid=provider.id)
        return provider


def approve_provider(db: Database, principal: Principal, provider_id: str,
                     reason: str | None) -> Provider:
    """Approve a pending provider or reinstate a suspended one (platform admin)."""
    return _change_status(db, principal, provider_id, "approve", reason)


def suspend_provider(db: Database, principal: Principal, provider_id: str,
                     reason: str) -> Provider:
    """Suspend an approved provider (platform admin): its sessions leave public search."""
    return _change_status(db, principal, provider_id, "suspend", reason)


def _change_status(db, principal, provider_id, action, reason) -> Provider:
    access.require_role(principal, "platform_admin")
    with db.transaction() as session:
        provider = load(session, Provider, provider_id, lock=True)
        if action == "approve":
            provider.approve(reason, clock.now())
            event_type = events.PROVIDER_APPROVED
        else:
            provider.suspend(reason)
            event_type = events.PROVIDER_SUSPENDED
        session.flush()
        publish(session, event_type, provider.id,
                {**events.provider_payload(provider, principal.subject), "reason": reason},
                providerid=provider.id)
        return provider


def set_stripe_account(db: Database, principal: Principal, provider_id: str,
                       account_id: str | None) -> Provider:
    """Record (or clear, None) the provider's Stripe connected account (platform admin).

    Set once Stripe has onboarded the provider; ``provider.updated`` carries it to
    enrolment, whose card checkouts then pay into it (destination charges).
    """
    access.require_role(principal, "platform_admin")
    with db.transaction() as session:
        provider = load(session, Provider, provider_id, lock=True)
        if provider.stripe_account_id != account_id:
            provider.stripe_account_id = account_id
            session.flush()
            publish(session, events.PROVIDER_UPDATED, provider.id,
                    events.provider_payload(provider, principal.subject), providerid=provider.id)
        return provider


def get_stripe_account(db: Database, principal: Principal, provider_id: str) -> Provider:
    """The provider, for its connected account: its own staff, auditors and admins."""
    if not access.sees_private(principal, provider_id):
        raise NotFound("no such provider")
    with db.reading() as session:
        return load(session, Provider, provider_id)


def get_provider(db: Database, principal: Principal | None, provider_id: str) -> Provider:
    """A provider the caller may see (else 404)."""
    with db.reading() as session:
        provider = session.get(Provider, provider_id)
        if provider is None or not access.provider_visible(principal, provider):
            raise NotFound("no such provider")
        return provider


def list_providers(db: Database, principal: Principal | None, status: str) -> list[Provider]:
    """Providers in ``status`` (non-approved ones: auditors and admins only)."""
    access.require_private_filter(principal, None, status, PUBLIC_STATUSES)
    with db.reading() as session:
        query = select(Provider).where(Provider.status == status).order_by(
            Provider.legal_name, Provider.id)
        return list(session.scalars(query))
