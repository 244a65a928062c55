"""``/reconciliations``: runs comparing the log with every service, and their differences.

Read by the ILO auditor, platform admins and services; a platform admin may
start a run (it reads every service and answers when done).
"""

from __future__ import annotations

from flask import current_app, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from services.audit.reconciliation import reads
from services.audit.reconciliation.run import ADMIN, reconcile
from services.audit.schemas.reconciliation import DifferenceArgs, DifferencePage, RunOut, RunPage
from shared.auth import require_principal, roles_required
from shared.pages import PageArgs
from shared.web import current_db

blp = Blueprint("reconciliations", __name__, url_prefix="/reconciliations",
                description="Reconciliation: the log's projections against each service's "
                            "own state, every difference named.")
READERS = ("ilo_auditor", "platform_admin", "service")


@blp.route("")
class Runs(MethodView):
    """Reconciliation runs."""

    @roles_required(*READERS)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, RunPage)
    def get(self, args):
        """List reconciliation runs, newest first."""
        return reads.list_runs(current_db(), args)

    @roles_required("platform_admin")
    @blp.response(201, RunOut)
    def post(self):
        """Run a reconciliation now; answers with the completed run."""
        reconciler = current_app.extensions["audit_reconciler"]
        run = reconcile(current_db(), reconciler.sources, ADMIN, require_principal().subject)
        return run, 201, {"Location": url_for("reconciliations.RunItem", run_id=run.id)}


@blp.route("/<run_id>")
class RunItem(MethodView):
    """One run."""

    @roles_required(*READERS)
    @blp.response(200, RunOut)
    def get(self, run_id):
        """Read a reconciliation run."""
        return reads.get_run(current_db(), run_id)


@blp.route("/<run_id>/differences")
class RunDifferences(MethodView):
    """What one run found."""

    @roles_required(*READERS)
    @blp.arguments(DifferenceArgs, location="query")
    @blp.response(200, DifferencePage)
    def get(self, args, run_id):
        """List the run's differences in the order found (optionally one service's)."""
        return reads.list_differences(current_db(), run_id, args)
