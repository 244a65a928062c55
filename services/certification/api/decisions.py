"""A certifier's decisions on a trainer's module (a platform admin; an ILO-designated
certifier is given a platform admin account)."""

from flask.views import MethodView
from flask_smorest import Blueprint

from services.certification.api import AUTH
from services.certification.schemas.progress import CertifyIn, DecisionIn
from services.certification.schemas.trainers import ModuleStatusOut
from services.certification.service import decisions
from shared.auth import require_principal, roles_required
from shared.web import current_db

blp = Blueprint("decisions", __name__,
                url_prefix="/trainers/<trainer_id>/modules/<module_code>",
                description="Certify, suspend, reinstate, revoke, withdraw, recertify.")

SUMMARIES = {
    "certify": "Certify the trainer in the module (eligible only: else 409 naming what is "
               "missing)",
    "recertify": "Recertify a certified trainer inside the recertification window, or an "
                 "expired one",
    "suspend": "Suspend a certification, with a reason",
    "reinstate": "Reinstate a suspended certification, with a reason (expires if its "
                 "validity ended meanwhile)",
    "revoke": "Revoke a certification, with a reason (its credential is revoked)",
    "withdraw": "Withdraw the trainer from the module, with a reason",
}


def _decision(action: str) -> type[MethodView]:
    schema = CertifyIn if action in ("certify", "recertify") else DecisionIn

    @roles_required("platform_admin")
    @blp.arguments(schema)
    @blp.response(200, ModuleStatusOut)
    @blp.doc(**AUTH)
    def post(self, data, trainer_id, module_code):
        return decisions.decide(current_db(), require_principal(), trainer_id, module_code,
                                action, data["reason"])

    post.__doc__ = SUMMARIES[action] + " (certifier)."
    name = f"{action.title()}Module"
    view = type(name, (MethodView,), {"post": post, "__doc__": f"{action.title()}."})
    blp.route(f"/{action}")(view)
    return view


VIEWS = [_decision(action) for action in decisions.ACTIONS]
