"""Reports: what sponsors' money bought, and their funds over time – JSON or CSV.

CSV convention (no other service exported CSV before): ``?format=csv`` on the
same URL answers ``text/csv; charset=utf-8`` with a header row, the columns in the
order of the JSON fields (:data:`~services.sponsorship.service.reports.MEASURES`,
``TIMELINE_COLUMNS``), and ``Content-Disposition: attachment`` with a filename
naming the report and its window. A query parameter rather than ``Accept`` so a
plain link downloads it and the choice is in the URL (and in the OpenAPI document).
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from services.sponsorship.api import AUTH
from services.sponsorship.schemas.reports import ReportArgs, ReportOut, TimelineArgs, TimelineOut
from services.sponsorship.service import reports
from shared.auth import require_principal, roles_required
from shared.downloads import CSV_ALTERNATIVE, csv_download
from shared.web import current_db

blp = Blueprint("reports", __name__, description="What sponsors' money bought: seats, SMEs, "
                "participants, completions; commitments against balances over time.")

READERS = ("sponsor_staff", "ilo_auditor", "platform_admin")
MARKET_READERS = ("ilo_auditor", "platform_admin")


@blp.route("/sponsors/<sponsor_id>/report")
class SponsorReport(MethodView):
    """A sponsor's report."""

    @roles_required(*READERS)
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200, ReportOut)
    @blp.alt_response(200, **CSV_ALTERNATIVE, content_type="text/csv", success=True)
    @blp.doc(**AUTH)
    def get(self, args, sponsor_id):
        """What the sponsor's money bought: totals, by province, module, provider, size class.

        Counts the sponsor's own lines of reservations made (checkout day, Jakarta) in
        the window: committed ones as bought, reserved ones as pending, reversed ones
        apart. Its staff, auditors and admins.
        """
        found = reports.report(current_db(), require_principal(), sponsor_id, args)
        return _csv_report(found, sponsor_id) if args["format"] == "csv" else found


@blp.route("/sponsors/<sponsor_id>/report/timeline")
class SponsorTimeline(MethodView):
    """A sponsor's funds over time."""

    @roles_required(*READERS)
    @blp.arguments(TimelineArgs, location="query")
    @blp.response(200, TimelineOut)
    @blp.alt_response(200, **CSV_ALTERNATIVE, content_type="text/csv", success=True)
    @blp.doc(**AUTH)
    def get(self, args, sponsor_id):
        """Per month or week and fund: commitments, reversals, committed and available.

        Balances at a period's end are sums of the fund's ledger rows written before
        it (the ledger is append-only). Its staff, auditors and admins.
        """
        found = reports.timeline(current_db(), require_principal(), sponsor_id, args)
        return _csv_timeline(found, sponsor_id) if args["format"] == "csv" else found


@blp.route("/reports/market")
class MarketReport(MethodView):
    """The market's report."""

    @roles_required(*MARKET_READERS)
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200, ReportOut)
    @blp.alt_response(200, **CSV_ALTERNATIVE, content_type="text/csv", success=True)
    @blp.doc(**AUTH)
    def get(self, args):
        """What all sponsors' money bought, as one report (auditors and admins)."""
        found = reports.report(current_db(), require_principal(), None, args)
        return _csv_report(found, "market") if args["format"] == "csv" else found


@blp.route("/reports/market/timeline")
class MarketTimeline(MethodView):
    """Every fund over time."""

    @roles_required(*MARKET_READERS)
    @blp.arguments(TimelineArgs, location="query")
    @blp.response(200, TimelineOut)
    @blp.alt_response(200, **CSV_ALTERNATIVE, content_type="text/csv", success=True)
    @blp.doc(**AUTH)
    def get(self, args):
        """Every fund's commitments, reversals and balances per period (auditors and admins)."""
        found = reports.timeline(current_db(), require_principal(), None, args)
        return _csv_timeline(found, "market") if args["format"] == "csv" else found


def _csv_report(found: dict[str, Any], who: str) -> Response:
    """One table: the totals row, then each breakdown's rows, tagged by ``breakdown``."""
    header = ("breakdown", "key", "name", *reports.MEASURES)
    rows = [("total", "", "", *(found["totals"][m] for m in reports.MEASURES))]
    for breakdown in reports.BREAKDOWNS:
        rows += [(breakdown, row["key"], row["name"], *(row[m] for m in reports.MEASURES))
                 for row in found[breakdown]]
    name = f"sponsorship-report-{who}-{found['start']}-{found['end']}.csv"
    return csv_download(header, rows, name)


def _csv_timeline(found: dict[str, Any], who: str) -> Response:
    rows = [tuple(item[c] for c in reports.TIMELINE_COLUMNS) for item in found["items"]]
    name = f"sponsorship-timeline-{who}-{found['interval']}-{found['start']}-{found['end']}.csv"
    return csv_download(reports.TIMELINE_COLUMNS, rows, name)
