"""``/trainers``: registration, profile, expert modules; reads scoped to who may see."""

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from services.certification.api import AUTH, READERS
from services.certification.schemas.trainers import (
    ExpertModulesIn,
    TrainerIn,
    TrainerListArgs,
    TrainerOut,
    TrainerPage,
    TrainerPatch,
)
from services.certification.service import trainers
from shared.auth import require_principal, roles_required
from shared.idempotency import idempotent
from shared.web import current_db

blp = Blueprint("trainers", __name__, url_prefix="/trainers",
                description="SCORE trainers: profile, modules of interest, expert modules.")


@blp.route("")
class Trainers(MethodView):
    """All trainers the caller may see."""

    @roles_required(*READERS)
    @blp.arguments(TrainerListArgs, location="query")
    @blp.response(200, TrainerPage)
    @blp.doc(**AUTH)
    def get(self, args):
        """List trainers, newest first (own record, mentees, the provider's, or all for readers)."""
        return trainers.list_trainers(current_db(), require_principal(), args)

    @roles_required("trainer")
    @idempotent(blp)
    @blp.arguments(TrainerIn)
    @blp.response(201, TrainerOut)
    @blp.doc(**AUTH)
    def post(self, data):
        """Register as a trainer (a trainer account without a trainer record yet)."""
        trainer = trainers.register_trainer(current_db(), require_principal(), data)
        return trainer, 201, {"Location": url_for("trainers.TrainerItem", trainer_id=trainer.id)}


@blp.route("/<trainer_id>")
class TrainerItem(MethodView):
    """One trainer."""

    @roles_required(*READERS)
    @blp.response(200, TrainerOut)
    @blp.doc(**AUTH)
    def get(self, trainer_id):
        """Read a trainer (the trainer, their experts, their provider, auditors, admins)."""
        return trainers.get_trainer(current_db(), require_principal(), trainer_id)

    @roles_required("trainer")
    @blp.arguments(TrainerPatch)
    @blp.response(200, TrainerOut)
    @blp.doc(**AUTH)
    def patch(self, changes, trainer_id):
        """Edit the trainer's own profile; new modules of interest start as candidate."""
        return trainers.update_trainer(current_db(), require_principal(), trainer_id, changes)


@blp.route("/<trainer_id>/expert-modules")
class ExpertModules(MethodView):
    """The modules in which a trainer is an expert trainer."""

    @roles_required("platform_admin")
    @blp.arguments(ExpertModulesIn)
    @blp.response(200, TrainerOut)
    @blp.doc(**AUTH)
    def put(self, data, trainer_id):
        """Name the trainer an expert trainer of these modules (platform admin)."""
        return trainers.set_expert_modules(current_db(), require_principal(), trainer_id,
                                           data["modules"])


