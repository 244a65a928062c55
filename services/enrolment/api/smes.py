"""``/smes``: an SME registers, edits its profile; its users, providers and auditors read it."""

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from services.enrolment.api import current_policy
from services.enrolment.schemas.smes import SmeIn, SmeOut, SmePatch
from services.enrolment.service import smes
from shared.auth import require_principal, roles_required
from shared.idempotency import idempotent
from shared.web import current_db

blp = Blueprint("smes", __name__, url_prefix="/smes",
                description="Small and medium enterprises: registration and profile.")


@blp.route("")
class Smes(MethodView):
    """All SMEs."""

    @roles_required("sme_user")
    @idempotent(blp)
    @blp.arguments(SmeIn)
    @blp.response(201, SmeOut)
    def post(self, data):
        """Register your SME (you become its SME user once identity has granted it)."""
        sme = smes.register_sme(current_db(), require_principal(), current_policy(), data)
        return sme, 201, {"Location": url_for("smes.SmeItem", sme_id=sme.id)}


@blp.route("/<sme_id>")
class SmeItem(MethodView):
    """One SME."""

    @roles_required("sme_user", "provider_staff", "ilo_auditor", "platform_admin")
    @blp.response(200, SmeOut)
    def get(self, sme_id):
        """Read an SME (its users, providers it enrolled with, auditors and admins)."""
        return smes.get_sme(current_db(), require_principal(), sme_id)

    @roles_required("sme_user")
    @blp.arguments(SmePatch)
    @blp.response(200, SmeOut)
    def patch(self, changes, sme_id):
        """Edit your SME's profile (size class follows the workforce)."""
        return smes.update_sme(current_db(), require_principal(), current_policy(), sme_id,
                               changes)
