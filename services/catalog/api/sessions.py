"""``/sessions`` (public search), ``/providers/<id>/sessions`` and session commands."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from services.catalog import search, search_cache, service
from services.catalog.api import AUTH
from services.catalog.queries import ProviderSessionArgs, SessionSearchArgs
from services.catalog.schemas import ReasonIn, SessionIn, SessionOut, SessionPage, SessionPatch
from shared.auth import current_principal, require_principal, roles_required
from shared.idempotency import idempotent
from shared.web import current_db, json_response

blp = Blueprint("sessions", __name__, description="Sessions (cohorts): search and lifecycle.")


def _require_certified_lead() -> bool:
    """``SCORE_CATALOG_REQUIRE_CERTIFIED_LEAD``, read once at start (catalog's ``on_init``)."""
    return current_app.extensions["catalog_require_certified_lead"]


@blp.route("/sessions")
class Sessions(MethodView):
    """Public search."""

    @search_cache.cached_page
    @blp.arguments(SessionSearchArgs(), location="query", unknown=RAISE)
    @blp.response(200, SessionPage)
    def get(self, args):
        """Search published sessions of approved providers (keyset-paginated).

        Only sessions still open to join are searched (status ``published``); those in
        progress, completed or cancelled stay readable at ``/sessions/{id}``. Filters
        combine with AND; ``q`` matches every word in a course title or description
        (id or en, case-insensitive). Pass ``next_cursor`` as ``cursor`` with the same
        ``sort`` for the next page; any invalid parameter is a 400.
        """
        return search_cache.page_response(args, search.search_sessions(current_db(), args))


@blp.route("/providers/<provider_id>/sessions")
class ProviderSessions(MethodView):
    """A provider's sessions."""

    @blp.arguments(ProviderSessionArgs(), location="query", unknown=RAISE)
    @blp.response(200, SessionPage)
    def get(self, args, provider_id):
        """List a provider's sessions (drafts: its staff, auditors and admins)."""
        return json_response(service.list_sessions(current_db(), current_principal(),
                                                   provider_id, args))

    @roles_required("provider_staff")
    @idempotent(blp)
    @blp.arguments(SessionIn)
    @blp.response(201, SessionOut)
    @blp.doc(**AUTH)
    def post(self, data, provider_id):
        """Create a draft session of one of the provider's courses.

        Each trainer must be a trainer certification registered (422 naming
        ``trainers[i].trainer_id``).
        """
        return service.create_session(current_db(), require_principal(), provider_id, data)


@blp.route("/sessions/<session_id>")
class SessionItem(MethodView):
    """One session."""

    @blp.response(200, SessionOut)
    def get(self, session_id):
        """Read a session with its course, provider and trainers."""
        return service.get_session(current_db(), current_principal(), session_id)

    @roles_required("provider_staff")
    @blp.arguments(SessionPatch)
    @blp.response(200, SessionOut)
    @blp.doc(**AUTH)
    def patch(self, changes, session_id):
        """Edit a draft or published session (capacity never below seats taken)."""
        return service.update_session(current_db(), require_principal(), session_id, changes,
                                      require_certified_lead=_require_certified_lead())


@blp.route("/sessions/<session_id>/publish")
class PublishSession(MethodView):
    """Publication."""

    @roles_required("provider_staff")
    @blp.response(200, SessionOut)
    @blp.doc(**AUTH)
    def post(self, session_id):
        """Publish a draft session: enrolment opens, the course price is frozen into it.

        Its lead trainer must be certified for the session's module (422 naming
        ``trainers[i].trainer_id``) unless ``SCORE_CATALOG_REQUIRE_CERTIFIED_LEAD`` is off.
        """
        return service.publish_session(current_db(), require_principal(), session_id,
                                       require_certified_lead=_require_certified_lead())


@blp.route("/sessions/<session_id>/start")
class StartSession(MethodView):
    """Delivery begins."""

    @roles_required("provider_staff")
    @blp.response(200, SessionOut)
    @blp.doc(**AUTH)
    def post(self, session_id):
        """Mark a published session as in progress (on or after its start date)."""
        return service.start_session(current_db(), require_principal(), session_id)


@blp.route("/sessions/<session_id>/complete")
class CompleteSession(MethodView):
    """Delivery ends."""

    @roles_required("provider_staff")
    @blp.response(200, SessionOut)
    @blp.doc(**AUTH)
    def post(self, session_id):
        """Mark a session in progress as completed (on or after its end date)."""
        return service.complete_session(current_db(), require_principal(), session_id)


@blp.route("/sessions/<session_id>/cancel")
class CancelSession(MethodView):
    """Cancellation."""

    @roles_required("provider_staff")
    @blp.arguments(ReasonIn)
    @blp.response(200, SessionOut)
    @blp.doc(**AUTH)
    def post(self, data, session_id):
        """Cancel a session that has not completed, with a reason."""
        return service.cancel_session(current_db(), require_principal(), session_id,
                                      data["reason"])
