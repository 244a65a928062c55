"""Consultancy visits to enrolled enterprises: scheduled, rescheduled, recorded, cancelled."""

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from services.enrolment.schemas.delivery import (
    VisitCancelIn,
    VisitIn,
    VisitOut,
    VisitPatch,
    VisitRecordIn,
    VisitsOut,
)
from services.enrolment.service import visits
from shared.auth import require_principal, roles_required
from shared.idempotency import idempotent
from shared.web import current_db

blp = Blueprint("visits", __name__, description="Consultancy visits to enrolled enterprises.")

DELIVERERS = ("provider_staff", "trainer")
READERS = ("sme_user", "provider_staff", "trainer", "ilo_auditor", "platform_admin")


@blp.route("/enrolments/<enrolment_id>/visits")
class EnrolmentVisits(MethodView):
    """An enterprise's visits."""

    @roles_required(*READERS)
    @blp.response(200, VisitsOut)
    def get(self, enrolment_id):
        """List a team's visits with its progress (recorded of the course's required)."""
        return visits.list_visits(current_db(), require_principal(), enrolment_id)

    @roles_required(*DELIVERERS)
    @idempotent(blp)
    @blp.arguments(VisitIn)
    @blp.response(201, VisitOut)
    def post(self, data, enrolment_id):
        """Schedule a visit with one of the session's trainers (confirmed or completed team)."""
        visit = visits.schedule(current_db(), require_principal(), enrolment_id, data)
        return visit, 201, {"Location": url_for("visits.VisitItem", visit_id=visit.id)}


@blp.route("/visits/<visit_id>")
class VisitItem(MethodView):
    """One visit."""

    @roles_required(*READERS)
    @blp.response(200, VisitOut)
    def get(self, visit_id):
        """Read a visit."""
        return visits.get_visit(current_db(), require_principal(), visit_id)

    @roles_required(*DELIVERERS)
    @blp.arguments(VisitPatch)
    @blp.response(200, VisitOut)
    def patch(self, changes, visit_id):
        """Reschedule a planned visit (another day, another of the session's trainers)."""
        return visits.reschedule(current_db(), require_principal(), visit_id, changes)


@blp.route("/visits/<visit_id>/record")
class RecordVisit(MethodView):
    """A visit took place."""

    @roles_required(*DELIVERERS)
    @blp.arguments(VisitRecordIn)
    @blp.response(200, VisitOut)
    def post(self, data, visit_id):
        """Record a planned visit: date, duration, topics, members present, actions agreed."""
        return visits.record(current_db(), require_principal(), visit_id, data)


@blp.route("/visits/<visit_id>/cancel")
class CancelVisit(MethodView):
    """A visit called off."""

    @roles_required(*DELIVERERS)
    @blp.arguments(VisitCancelIn)
    @blp.response(200, VisitOut)
    def post(self, data, visit_id):
        """Cancel a planned visit, saying why."""
        return visits.cancel(current_db(), require_principal(), visit_id, data["reason"])
