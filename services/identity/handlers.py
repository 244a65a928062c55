"""Consumed events: whoever registers an organisation becomes its member.

A provider's registrant (catalog) becomes its ``provider_staff``; an SME's
(enrolment) its ``sme_user``; a sponsor's (sponsorship) its ``sponsor_staff``; a
trainer's (certification) a ``trainer`` member of the trainer "organisation" whose
id is the trainer's – its own user id, so the token then says ``org = subject``.
Each handler reads only the two fields it needs.
"""

from collections.abc import Callable

from marshmallow import Schema, fields
from sqlalchemy.orm import Session

from services.identity import service
from shared import clock
from shared.events import Handler, Handlers


def _registrant_schema(org_field: str) -> type[Schema]:
    return Schema.from_dict({org_field: fields.String(required=True),
                             "registered_by": fields.String(required=True)},
                            name=f"{org_field.removesuffix('_id').title()}Registered")


def _grant(role: str, org_field: str, source: str) -> Callable[[Session, object], None]:
    def grant(session: Session, event) -> None:
        service.grant_registrant(session, clock.now(), event.data["registered_by"], role,
                                 event.data[org_field], granted_by=f"system:{source}")

    grant.__doc__ = f"Give the registering user a {role} membership of the new organisation."
    return grant


HANDLERS = Handlers([
    Handler("score.catalog.provider.registered.v1", _registrant_schema("provider_id"),
            _grant("provider_staff", "provider_id", "catalog")),
    Handler("score.enrolment.sme.registered.v1", _registrant_schema("sme_id"),
            _grant("sme_user", "sme_id", "enrolment")),
    Handler("score.sponsorship.sponsor.registered.v1", _registrant_schema("sponsor_id"),
            _grant("sponsor_staff", "sponsor_id", "sponsorship")),
    Handler("score.certification.trainer.registered.v1", _registrant_schema("trainer_id"),
            _grant("trainer", "trainer_id", "certification")),
])
