"""Events identity publishes (on topic ``score.identity``); none carries password data."""

from marshmallow import Schema, fields, validate

from services.identity.models import ORG_TYPES, SELF_SERVICE_ROLES
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


USER_REGISTERED = EventType("score.identity.user.registered.v1", UserRegistered,
                            "A user account was created.")
MEMBERSHIP_GRANTED = EventType("score.identity.membership.granted.v1", MembershipGranted,
                               "A user was given a role in an organisation.")
MEMBERSHIP_REVOKED = EventType("score.identity.membership.revoked.v1", MembershipRevoked,
                               "A user's role in an organisation was withdrawn.")
EVENTS = EventCatalog([USER_REGISTERED, MEMBERSHIP_GRANTED, MEMBERSHIP_REVOKED])
