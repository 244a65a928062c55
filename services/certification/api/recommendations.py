"""Expert trainers' recommendations of their mentees, and refusals."""

from flask.views import MethodView
from flask_smorest import Blueprint

from services.certification.api import AUTH, READERS
from services.certification.schemas.progress import RecommendationIn, RecommendationOut
from services.certification.service import recommendations
from shared.auth import require_principal, roles_required
from shared.idempotency import idempotent
from shared.web import current_db

blp = Blueprint("recommendations", __name__,
                url_prefix="/trainers/<trainer_id>/modules/<module_code>/recommendations",
                description="An expert trainer recommends a mentee for certification, or not.")


@blp.route("")
class Recommendations(MethodView):
    """Recommendations on one trainer's module."""

    @roles_required(*READERS)
    @blp.response(200, RecommendationOut(many=True))
    @blp.doc(**AUTH)
    def get(self, trainer_id, module_code):
        """List the recommendations and refusals, newest first."""
        return recommendations.list_given(current_db(), require_principal(), trainer_id,
                                          module_code)

    @roles_required("trainer")
    @idempotent(blp)
    @blp.arguments(RecommendationIn)
    @blp.response(201, RecommendationOut)
    @blp.doc(**AUTH)
    def post(self, data, trainer_id, module_code):
        """Recommend a mentee (ready for it: else 409 naming what is missing) or decline."""
        return recommendations.give(current_db(), require_principal(), trainer_id,
                                    module_code, data), 201
