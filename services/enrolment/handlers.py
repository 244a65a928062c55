"""Events enrolment consumes: ``Handler(event type, schema of the fields read, use case)``.

Catalog's provider events keep the providers read model (name, Stripe connected
account: :mod:`services.enrolment.service.providers`). Catalog's session events
keep the sessions read model
(:mod:`services.enrolment.service.sessions`); each type may add steps after
the read model is up to date (:data:`FOLLOW_UPS`: e.g. the completion rule on
``session.completed``). Handlers run inside the inbox transaction (an event is
applied once, even if delivered twice) and raise on anything they cannot
apply: the event is retried, then dead-lettered.
"""

from __future__ import annotations

from collections.abc import Callable

from marshmallow import Schema, fields
from sqlalchemy.orm import Session

from services.enrolment.config import current_policy
from services.enrolment.models import OfferedSession
from services.enrolment.service import completion, providers, sessions
from shared.events import Handler, Handlers

SESSION_EVENTS = ("published", "updated", "cancelled", "started", "completed")
PROVIDER_EVENTS = ("registered", "updated", "approved", "suspended")


def _session_type(action: str) -> str:
    return f"score.catalog.session.{action}.v1"


class CatalogProvider(Schema):
    """What enrolment reads from catalog's provider events (other fields are ignored).

    ``stripe_account_id`` defaults to null: events from before catalog carried it
    describe a provider without a connected account.
    """

    provider_id = fields.String(required=True)
    legal_name = fields.String(required=True)
    status = fields.String(required=True)
    stripe_account_id = fields.String(load_default=None, allow_none=True)


def on_provider_event(session: Session, event) -> None:
    """catalog's provider.*: the providers read model (every event carries the full state)."""
    providers.apply_provider(session, event.data)


class TrainerRef(Schema):
    """A trainer assigned to the session."""

    trainer_id = fields.String(required=True)
    role = fields.String(required=True)


class CatalogSession(Schema):
    """What enrolment reads from catalog's session events (other fields are ignored).

    No bounds beyond catalog's own schema: a tolerant reader accepts whatever the
    producer may send (the contract test compares the two).
    """

    session_id = fields.String(required=True)
    provider_id = fields.String(required=True)
    course_id = fields.String(required=True)
    module_code = fields.String(required=True)
    title_id = fields.String(required=True)
    title_en = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    enrolment_deadline = fields.Date(required=True)
    city = fields.String(required=True)
    province_code = fields.String(required=True)
    capacity = fields.Integer(required=True, strict=True)
    price_per_participant = fields.Integer(required=True, strict=True, allow_none=True)
    max_participants_per_enterprise = fields.Integer(required=True, strict=True)
    trainers = fields.List(fields.Nested(TrainerRef), required=True)
    ilo_supervised = fields.Boolean(required=True)
    estimated_delivery_cost = fields.Integer(required=True, strict=True)
    status = fields.String(required=True)
    reason = fields.String(load_default=None, allow_none=True)
    changed_by = fields.String(required=True)
    classroom_days = fields.Integer(strict=True, load_default=2)
    consultancy_visits = fields.Integer(strict=True, load_default=0)


# Steps after the read model took a session event: fn(session, offered, event).
FollowUp = Callable[[Session, OfferedSession, object], None]
FOLLOW_UPS: dict[str, tuple[FollowUp, ...]] = {
    "published": (), "updated": (), "cancelled": (), "started": (),
    # Attendance closes: confirmed enrolments complete by the completion rule.
    "completed": (completion.on_session_completed,),
}


def _on_session_event(action: str) -> Callable[[Session, object], None]:
    def apply(session: Session, event) -> None:
        offered = sessions.apply_session(session, event.data, actor=event.data["changed_by"],
                                         policy=current_policy())
        if offered is not None:
            for step in FOLLOW_UPS[action]:
                step(session, offered, event)

    apply.__name__ = apply.__qualname__ = f"on_session_{action}"
    apply.__doc__ = f"catalog's session.{action}: the read model, then {action}'s follow-ups."
    return apply


HANDLERS = Handlers([
    *(Handler(_session_type(action), CatalogSession, _on_session_event(action))
      for action in SESSION_EVENTS),
    *(Handler(f"score.catalog.provider.{action}.v1", CatalogProvider, on_provider_event)
      for action in PROVIDER_EVENTS),
])
