"""Events of the test service."""

from marshmallow import Schema, fields

from shared.events import EventCatalog, EventType


class PingSent(Schema):
    """Payload of ``score.pingpong.ping.sent.v1``."""

    ping_id = fields.Integer(required=True)
    org_id = fields.String(required=True)
    key = fields.String(required=True)
    seq = fields.Integer(required=True)
    poison = fields.Boolean(load_default=False)


PING_SENT = EventType("score.pingpong.ping.sent.v1", PingSent, "A ping was sent.")
EVENTS = EventCatalog([PING_SENT])
