"""Enterprise KPIs: the definitions, an SME's reports (append-only) and its baseline report."""

from flask.views import MethodView
from flask_smorest import Blueprint

from services.enrolment.api import current_policy
from services.enrolment.schemas.kpis import (
    KpiDefinitionsOut,
    KpiHistoryOut,
    KpiReportIn,
    KpiReportOut,
    KpiReportSummaryOut,
)
from services.enrolment.service import kpis
from shared.auth import require_principal, roles_required
from shared.idempotency import idempotent
from shared.web import current_db

blp = Blueprint("kpis", __name__, description="Enterprise KPIs: baselines and follow-ups.")

READERS = ("sme_user", "provider_staff", "ilo_auditor", "platform_admin")


@blp.route("/kpis")
class KpiDefinitions(MethodView):
    """The KPIs tracked."""

    @blp.response(200, KpiDefinitionsOut)
    def get(self):
        """List the KPI definitions: code, names (id/en), unit, and which direction is better."""
        return {"items": current_policy().kpis}


@blp.route("/smes/<sme_id>/kpis")
class SmeKpis(MethodView):
    """An SME's KPI reports."""

    @roles_required(*READERS)
    @blp.response(200, KpiHistoryOut)
    def get(self, sme_id):
        """List an SME's KPI reports, every version, each with what superseded it."""
        return {"items": kpis.history(current_db(), require_principal(), sme_id)}

    @roles_required("sme_user", "provider_staff")
    @idempotent(blp)
    @blp.arguments(KpiReportIn)
    @blp.response(201, KpiReportOut)
    def post(self, data, sme_id):
        """Report a KPI value (or correct one: append-only versions).

        The SME's users, or staff of a provider that trained it (a confirmed or
        completed enrolment) on its behalf. A baseline's period ends before the
        SME's first session; one baseline per KPI (correct it with ``corrects``).
        """
        return kpis.report(current_db(), require_principal(), current_policy(), sme_id, data)


@blp.route("/smes/<sme_id>/kpis/report")
class SmeKpiReport(MethodView):
    """An SME's KPI report."""

    @roles_required(*READERS)
    @blp.response(200, KpiReportSummaryOut)
    def get(self, sme_id):
        """Baseline against the latest follow-up, per KPI: change, change %, improved."""
        return kpis.summary(current_db(), require_principal(), current_policy(), sme_id)
