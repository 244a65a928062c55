"""Events identity publishes (on topic ``score.identity``); none carries password data.

Payload builders live here, beside the schemas, so each event type is built in
exactly one way (as in every service).
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.identity.models import ORG_TYPES, SELF_SERVICE_ROLES, Membership, User
from shared.auth import ROLES
from shared.events import EventCatalog, EventType


class UserRegistered(Schema):
    """Payload of ``score.identity.user.registered.v1``."""

    user_id = fields.String(required=True)
    email = fields.Email(required=True)
    name = fields.String(required=True)
    intended_role = fields.String(required=True, allow_none=True,
                                  validate=validate.OneOf(SELF_SERVICE_ROLES))
    registered_at = fields.DateTime(required=True)


class MembershipGranted(Schema):
    """Payload of ``score.identity.membership.granted.v1``."""

    membership_id = fields.String(required=True)
    user_id = fields.String(required=True)
    org_type = fields.String(required=True, validate=validate.OneOf(ORG_TYPES))
    org_id = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    granted_by = fields.String(required=True)
    granted_at = fields.DateTime(required=True)


class MembershipRevoked(Schema):
    """Payload of ``score.identity.membership.revoked.v1``."""

    membership_id = fields.String(required=True)
    user_id = fields.String(required=True)
    org_type = fields.String(required=True, validate=validate.OneOf(ORG_TYPES))
    org_id = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    revoked_by = fields.String(required=True)
    revoked_at = fields.DateTime(required=True)


def user_registered(user: User) -> dict:
    """Payload of ``user.registered``."""
    return {"user_id": user.id, "email": user.email, "name": user.name,
            "intended_role": user.intended_role, "registered_at": user.created_at}


def _membership(membership: Membership) -> dict:
    return {"membership_id": membership.id, "user_id": membership.user_id,
            "org_type": membership.org_type, "org_id": membership.org_id,
            "role": membership.role}


def membership_granted(membership: Membership) -> dict:
    """Payload of ``membership.granted``."""
    return {**_membership(membership), "granted_by": membership.granted_by,
            "granted_at": membership.granted_at}


def membership_revoked(membership: Membership) -> dict:
    """Payload of ``membership.revoked`` (the membership already revoked)."""
    return {**_membership(membership), "revoked_by": membership.revoked_by,
            "revoked_at": membership.revoked_at}


def provider_of(membership: Membership) -> str | None:
    """The ``providerid`` extension: the provider a provider-staff membership belongs to."""
    return membership.org_id if membership.org_type == "provider" else None


USER_REGISTERED = EventType("score.identity.user.registered.v1", UserRegistered,
                            "A user account was created.")
MEMBERSHIP_GRANTED = EventType("score.identity.membership.granted.v1", MembershipGranted,
                               "A user was given a role in an organisation.")
MEMBERSHIP_REVOKED = EventType("score.identity.membership.revoked.v1", MembershipRevoked,
                               "A user's role in an organisation was withdrawn.")
EVENTS = EventCatalog([USER_REGISTERED, MEMBERSHIP_GRANTED, MEMBERSHIP_REVOKED])
