"""Progress reports: trainers submit them; expert trainers accept or reject them."""

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from services.certification.api import AUTH, READERS
from services.certification.schemas.progress import ReportIn, ReportOut, ReviewIn
from services.certification.service import reports
from shared.auth import require_principal, roles_required
from shared.idempotency import idempotent
from shared.web import current_db

blp = Blueprint("reports", __name__, description="Progress reports and their review.")


@blp.route("/trainers/<trainer_id>/modules/<module_code>/reports")
class Reports(MethodView):
    """A trainer's reports in one module."""

    @roles_required(*READERS)
    @blp.response(200, ReportOut(many=True))
    @blp.doc(**AUTH)
    def get(self, trainer_id, module_code):
        """List the module's progress reports, newest first."""
        return reports.list_reports(current_db(), require_principal(), trainer_id, module_code)

    @roles_required("trainer")
    @idempotent(blp)
    @blp.arguments(ReportIn)
    @blp.response(201, ReportOut)
    @blp.doc(**AUTH)
    def post(self, data, trainer_id, module_code):
        """Submit a progress report for one of your modules (the trainer)."""
        report = reports.submit_report(current_db(), require_principal(), trainer_id,
                                       module_code, data)
        return report, 201, {"Location": url_for("reports.ReportItem", report_id=report.id)}


@blp.route("/reports/<report_id>")
class ReportItem(MethodView):
    """One report."""

    @roles_required(*READERS)
    @blp.response(200, ReportOut)
    @blp.doc(**AUTH)
    def get(self, report_id):
        """Read a progress report (whoever may read its trainer)."""
        return reports.get_report(current_db(), require_principal(), report_id)


@blp.route("/reports/<report_id>/accept")
class AcceptReport(MethodView):
    """Acceptance."""

    @roles_required("trainer", "platform_admin")
    @blp.arguments(ReviewIn)
    @blp.response(200, ReportOut)
    @blp.doc(**AUTH)
    def post(self, data, report_id):
        """Accept a submitted report with comments (an expert of its module, or an admin)."""
        return reports.review_report(current_db(), require_principal(), report_id, "accept",
                                     data["comments"])


@blp.route("/reports/<report_id>/reject")
class RejectReport(MethodView):
    """Rejection."""

    @roles_required("trainer", "platform_admin")
    @blp.arguments(ReviewIn)
    @blp.response(200, ReportOut)
    @blp.doc(**AUTH)
    def post(self, data, report_id):
        """Reject a submitted report with comments (an expert of its module, or an admin)."""
        return reports.review_report(current_db(), require_principal(), report_id, "reject",
                                     data["comments"])
