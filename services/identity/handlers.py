"""Consumed events: a provider's registrant becomes its staff."""

from marshmallow import Schema, fields
from sqlalchemy.orm import Session

from services.identity import service
from shared import clock
from shared.events import Handler, Handlers

CATALOG = "system:catalog"


class ProviderRegistered(Schema):
    """What identity reads of ``score.catalog.provider.registered.v1``."""

    provider_id = fields.String(required=True)
    registered_by = fields.String(required=True)


def grant_provider_staff(session: Session, event) -> None:
    """Give the registering user a ``provider_staff`` membership of the new provider."""
    service.grant_provider_staff(session, clock.now(), event.data["registered_by"],
                                 event.data["provider_id"], granted_by=CATALOG)


HANDLERS = Handlers([
    Handler("score.catalog.provider.registered.v1", ProviderRegistered, grant_provider_staff),
])
