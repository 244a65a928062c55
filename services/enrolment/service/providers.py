"""The providers read model: catalog's provider events kept as :class:`KnownProvider` rows.

Enrolment keeps a provider's name and Stripe connected account from
``score.catalog.provider.*`` (registered, updated, approved, suspended). Every
event carries the provider's full state, and Kafka keeps one provider's events
in order (keyed by its id), so applying one is a plain upsert.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.enrolment.models import KnownProvider, OfferedSession

COPIED = ("legal_name", "status", "stripe_account_id")


def apply_provider(session: Session, data: dict[str, Any]) -> KnownProvider:
    """Upsert the provider of a catalog event."""
    provider = session.get(KnownProvider, data["provider_id"], with_for_update=True,
                           populate_existing=True)
    fields = {name: data.get(name) for name in COPIED}
    if provider is None:
        provider = KnownProvider(id=data["provider_id"], **fields)
        session.add(provider)
    else:
        for name, value in fields.items():
            if getattr(provider, name) != value:
                setattr(provider, name, value)
    session.flush()
    return provider


def connected_account(session: Session, provider_id: str) -> str | None:
    """The provider's Stripe connected account, if catalog has told us one."""
    provider = session.get(KnownProvider, provider_id)
    return provider.stripe_account_id if provider is not None else None


def is_known(session: Session, provider_id: str) -> bool:
    """Catalog has told enrolment of this provider (its events, or one of its sessions).

    Sessions count too: providers registered before enrolment kept providers are
    known by their sessions until their next provider event.
    """
    return (session.get(KnownProvider, provider_id) is not None
            or session.scalar(select(OfferedSession.id)
                              .where(OfferedSession.provider_id == provider_id).limit(1))
            is not None)
