"""``/trainers``: the trainers certification registered, as catalog learnt them.

A directory for staffing sessions: provider staff pick a session's lead and
co-trainers here (a lead must be certified for the module when the session is
published). Names and module statuses only – certification keeps the records.
"""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from services.catalog.api import AUTH
from services.catalog.queries import StrictQuery
from services.catalog.service import trainers
from shared.auth import roles_required
from shared.web import current_db

blp = Blueprint("trainers", __name__, description="Registered trainers, for staffing sessions.")

MODULE_STATUSES = ("candidate", "tot_completed", "in_supervised_delivery", "recommended",
                   "certified", "suspended", "expired", "revoked", "withdrawn")


class TrainerListArgs(StrictQuery):
    """Who, in which module and status."""

    module = fields.String(validate=validate.OneOf(["M1", "M2", "M3", "M4", "M5"]))
    status = fields.String(validate=validate.OneOf(MODULE_STATUSES))
    limit = fields.Integer(load_default=200, validate=validate.Range(1, 500))


class TrainerEntry(Schema):
    """A registered trainer and their status per module."""

    id = fields.String()
    full_name = fields.String()
    provider_id = fields.String(allow_none=True)
    modules = fields.Dict(keys=fields.String(), values=fields.String(),
                          metadata={"description": "module code → status"})


class TrainerDirectory(Schema):
    """Trainers by name (at most ``limit``)."""

    items = fields.List(fields.Nested(TrainerEntry))


@blp.route("/trainers")
class Trainers(MethodView):
    """The trainer directory."""

    @roles_required("provider_staff", "platform_admin", "ilo_auditor")
    @blp.arguments(TrainerListArgs, location="query")
    @blp.response(200, TrainerDirectory)
    @blp.doc(**AUTH)
    def get(self, args):
        """List registered trainers by name with their module statuses (for staffing)."""
        return {"items": trainers.list_trainers(current_db(), args.get("module"),
                                                args.get("status"), args["limit"])}
