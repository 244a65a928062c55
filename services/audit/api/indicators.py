"""``/indicators`` (Phase III, against targets) and ``/productivity`` (the Ministry's view).

JSON, or with ``?format=csv`` the same rows as ``text/csv`` (a header row,
``Content-Disposition: attachment``), as sponsorship's reports do. Readers:
the ILO auditor, platform admins and machine clients read everything; a
provider's staff the indicators of their own provider; everyone else 403.
"""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from services.audit.access import READERS
from services.audit.api import AUTH
from services.audit.indicators import reports
from services.audit.schemas.indicators import (
    BreakdownArgs,
    BreakdownOut,
    CellOut,
    IndicatorArgs,
    IndicatorOut,
    IndicatorsOut,
    ProductivityArgs,
    ProductivityOut,
)
from shared.auth import require_principal, roles_required
from shared.downloads import CSV_ALTERNATIVE, csv_download
from shared.web import current_db

blp = Blueprint("indicators", __name__, description="Phase III indicators and the national "
                "productivity view, computed from the log alone.")

EVERYTHING = ("ilo_auditor", "platform_admin", "service")


@blp.route("/indicators")
class Indicators(MethodView):
    """The Phase III indicators."""

    @roles_required(*READERS)
    @blp.arguments(IndicatorArgs, location="query")
    @blp.response(200, IndicatorsOut)
    @blp.alt_response(200, **CSV_ALTERNATIVE, content_type="text/csv", success=True)
    @blp.doc(**AUTH)
    def get(self, args):
        """Every Phase III indicator as of a log entry, by period and province, with targets.

        A provider's staff get their own provider's slice (case studies: null).
        """
        found = reports.indicators(current_db(), require_principal(),
                                   current_app.extensions["audit_targets"], args)
        if args["format"] != "csv":
            return found
        rows = [[IndicatorOut().dump(item)[c] for c in INDICATOR_COLUMNS]
                for item in found["items"]]
        name = "-".join(str(part) for part in ("indicators", found["as_of"], found["period"],
                                               found["province"], found["provider_id"]) if part)
        return csv_download(INDICATOR_COLUMNS, rows, f"{name}.csv")


@blp.route("/indicators/breakdown")
class IndicatorBreakdown(MethodView):
    """The Phase III indicators per province or per quarter."""

    @roles_required(*READERS)
    @blp.arguments(BreakdownArgs, location="query")
    @blp.response(200, BreakdownOut)
    @blp.doc(**AUTH)
    def get(self, args):
        """Every indicator per province (by=province) or quarter (by=period), one replay.

        Groups are the provinces or quarters the log has facts for, within the other
        filter. A provider's staff get their own provider's slice.
        """
        return reports.breakdown(current_db(), require_principal(),
                                 current_app.extensions["audit_targets"], args)


@blp.route("/productivity")
class Productivity(MethodView):
    """The national productivity view."""

    @roles_required(*EVERYTHING)
    @blp.arguments(ProductivityArgs, location="query")
    @blp.response(200, ProductivityOut)
    @blp.alt_response(200, **CSV_ALTERNATIVE, content_type="text/csv", success=True)
    @blp.doc(**AUTH)
    def get(self, args):
        """Enterprise KPI changes, baseline to latest, by KBLI sector and province.

        Cells of fewer than 5 enterprises are suppressed; totals cover published
        cells only. For the Ministry of Manpower (auditors, admins, machine clients).
        """
        found = reports.national_productivity(current_db(), require_principal(), args)
        if args["format"] != "csv":
            return found
        schema = CellOut()
        rows = [[row_kind, *(schema.dump(cell)[c] for c in CELL_COLUMNS)]
                for row_kind, cells in (("cell", found["cells"]), ("total", found["totals"]))
                for cell in cells]
        return csv_download(("row", *CELL_COLUMNS), rows, f"productivity-{found['as_of']}.csv")


INDICATOR_COLUMNS = ("code", "unit", "value", "target", "progress_percent")
CELL_COLUMNS = ("sector", "province", "kpi", "suppressed", "enterprises", "improved",
                "worsened", "unchanged", "mean_change_percent", "median_change_percent")
