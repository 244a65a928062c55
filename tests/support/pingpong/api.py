"""A tenant-scoped resource to test auth, problems and the outbox through HTTP."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from shared.auth import ensure_tenant, require_principal, roles_required, scope_to_tenant
from shared.errors import NotFound
from shared.events import publish
from shared.fields import StrictBoolean
from shared.idempotency import idempotent
from shared.web import current_db
from tests.support.pingpong.events import PING_SENT
from tests.support.pingpong.models import Ping

blp = Blueprint("pings", __name__, url_prefix="/pings")


class PingIn(Schema):
    """A new ping."""

    note = fields.String(required=True, validate=validate.Length(1, 200))
    key = fields.String(load_default="k", validate=validate.Length(1, 40))
    seq = fields.Integer(load_default=0, strict=True, validate=validate.Range(0, 2**31 - 1))
    poison = StrictBoolean(load_default=False)


class PingOut(Schema):
    """A ping as returned."""

    id = fields.Integer()
    org_id = fields.String()
    note = fields.String()


@blp.route("")
class Pings(MethodView):
    """The caller's pings."""

    @roles_required("sme_user", "provider_staff")
    @idempotent(blp)
    @blp.arguments(PingIn)
    @blp.response(201, PingOut)
    def post(self, data):
        """Send a ping."""
        principal = require_principal()
        with current_db().transaction() as session:
            ping = Ping(org_id=principal.org, seq=data["seq"], key=data["key"], note=data["note"])
            session.add(ping)
            session.flush()
            publish(session, PING_SENT, data["key"], {
                "ping_id": ping.id, "org_id": ping.org_id, "key": data["key"],
                "seq": data["seq"], "poison": data["poison"]})
            return ping

    @blp.response(200, PingOut(many=True))
    def get(self):
        """List the caller's pings."""
        with current_db().reading() as session:
            query = scope_to_tenant(select(Ping), Ping.org_id, require_principal())
            return list(session.scalars(query))


@blp.route("/<int:ping_id>")
class PingItem(MethodView):
    """One ping."""

    @blp.response(200, PingOut)
    def get(self, ping_id):
        """Read a ping."""
        return _load(ping_id, write=False)

    @blp.response(204)
    def delete(self, ping_id):
        """Delete a ping."""
        principal = require_principal()
        with current_db().transaction() as session:
            ping = session.get(Ping, ping_id)
            if ping is None:
                raise NotFound("no such ping")
            ensure_tenant(principal, ping.org_id, write=True)
            session.delete(ping)


def _load(ping_id: int, write: bool):
    principal = require_principal()
    with current_db().reading() as session:
        ping = session.get(Ping, ping_id)
        if ping is None:
            raise NotFound("no such ping")
        ensure_tenant(principal, ping.org_id, write=write)
        return ping
