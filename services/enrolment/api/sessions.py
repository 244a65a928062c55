"""``/sessions/<id>``: a session as enrolment knows it, with its seat counters."""

from flask.views import MethodView
from flask_smorest import Blueprint

from services.enrolment.schemas.sessions import OfferedSessionOut
from services.enrolment.service import sessions
from shared.auth import ROLES, require_principal, roles_required
from shared.web import current_db

blp = Blueprint("offered_sessions", __name__,
                description="Sessions from the catalog, with the seats held and confirmed.")


@blp.route("/sessions/<session_id>")
class SessionItem(MethodView):
    """One session."""

    @roles_required(*ROLES)
    @blp.response(200, OfferedSessionOut)
    def get(self, session_id):
        """Read a session with its seats held, confirmed and free (any signed-in caller)."""
        return sessions.get_offered_session(current_db(), require_principal(), session_id)
