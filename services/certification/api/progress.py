"""A trainer's module: the rule engine's assessment, the evidence, ToT attendance."""

from flask.views import MethodView
from flask_smorest import Blueprint

from services.certification.api import AUTH, READERS
from services.certification.schemas.progress import (
    AssessmentOut,
    EvidenceArgs,
    EvidenceOut,
    EvidencePage,
    TotIn,
)
from services.certification.service import attendance
from shared.auth import require_principal, roles_required
from shared.idempotency import idempotent
from shared.web import current_db

blp = Blueprint("progress", __name__, url_prefix="/trainers/<trainer_id>/modules/<module_code>",
                description="A trainer's progress in one module: assessment and evidence.")


@blp.route("/assessment")
class Assessment(MethodView):
    """What the evidence supports under the rules in force."""

    @roles_required(*READERS)
    @blp.response(200, AssessmentOut)
    @blp.doc(**AUTH)
    def get(self, trainer_id, module_code):
        """Assess the trainer's module: status, what is missing (with codes), rules version."""
        return attendance.assessment(current_db(), require_principal(), trainer_id, module_code)


@blp.route("/evidence")
class EvidenceList(MethodView):
    """The evidence on record."""

    @roles_required(*READERS)
    @blp.arguments(EvidenceArgs, location="query")
    @blp.response(200, EvidencePage)
    @blp.doc(**AUTH)
    def get(self, args, trainer_id, module_code):
        """List the module's evidence, newest first (sessions, visits, ToT)."""
        return attendance.list_evidence(current_db(), require_principal(), trainer_id,
                                        module_code, args)


@blp.route("/tot")
class Tot(MethodView):
    """Training of Trainers attendance."""

    @roles_required("platform_admin")
    @idempotent(blp)
    @blp.arguments(TotIn)
    @blp.response(201, EvidenceOut)
    @blp.doc(**AUTH)
    def post(self, data, trainer_id, module_code):
        """Record the trainer's ToT attendance for the module (platform admin)."""
        return attendance.record_tot(current_db(), require_principal(), trainer_id,
                                     module_code, data), 201
