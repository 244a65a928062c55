"""Providers' monthly settlement statements: read (JSON or CSV), list, issue, mark paid.

Figures are whole rupiah (services/enrolment/ledger.py has every formula)::

    net_payable = platform_cash − (fee − fee_withheld)
    platform_cash = card collected on the platform's account − card refunds
                    + sponsor commitments − sponsor reversals
    fee = Σ round_half_up(|amount| × fee_percent / 100), signed like each line

Positive: the platform owes the provider; negative: the provider owes the fee on
money it received directly (bank transfers, destination charges' refunds).
"""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from services.enrolment.api import current_policy
from services.enrolment.ledger import Month, Totals
from services.enrolment.schemas.statements import (
    StatementArgs,
    StatementListArgs,
    StatementOut,
    StatementPage,
    StatementPaidIn,
    StatementPath,
)
from services.enrolment.service import statements
from shared import clock
from shared.auth import require_principal, roles_required
from shared.downloads import csv_download
from shared.idempotency import idempotent
from shared.web import current_db

blp = Blueprint("statements", __name__, description=(
    "Providers' monthly settlement statements (Jakarta months): card payments, refunds, bank "
    "transfers, sponsor commitments, the platform fee and the net payable = platform_cash − "
    "(fee − fee_withheld), where platform_cash = card collected on the platform's account − "
    "card refunds + sponsor commitments − sponsor reversals, and each line's fee is "
    "round_half_up(|amount| × fee_percent / 100). Positive: the platform owes the provider; "
    "negative: the provider owes the platform."))

READERS = ("provider_staff", "ilo_auditor", "platform_admin")
# flask-smorest documents one media type per response: both, the JSON one by reference.
CSV_RESPONSE = {"200": {"description": "the statement (JSON, or CSV with ?format=csv)",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/StatementOut"}},
                            "text/csv": {"schema": {"type": "string"}}}}}
CSV_COLUMNS = ("record", "kind", "booked_at", "source_id", "enrolment_id", "reference",
               "amount", "platform_cash", "fee", "fee_withheld")


@blp.route("/providers/<provider_id>/statements/<month>")
class ProviderStatement(MethodView):
    """A provider's month."""

    @roles_required(*READERS)
    @blp.arguments(StatementPath, location="path")
    @blp.arguments(StatementArgs, location="query", unknown=RAISE)
    @blp.response(200, StatementOut)
    @blp.doc(responses=CSV_RESPONSE)
    def get(self, path, args, provider_id, month):
        """Read a provider's statement of a month: as issued, or computed now (``open``).

        Any month up to the current one (Jakarta time); an open month changes as money
        moves. ``?format=csv`` answers ``text/csv``: one row per line (``record=line``),
        then one row per total (``record=total``, the figure in ``amount``). Its
        provider's staff, auditors and admins.
        """
        view = statements.get_statement(current_db(), require_principal(),
                                        path["provider_id"], Month.parse(path["month"]),
                                        current_policy().platform_fee_percent)
        if args["format"] == "csv":
            return _csv(view)
        return body(view)


@blp.route("/providers/<provider_id>/statements/<month>/issue")
class IssueStatement(MethodView):
    """Issuing a provider's month."""

    @roles_required("platform_admin")
    @idempotent(blp)
    @blp.arguments(StatementPath, location="path")
    @blp.response(201, StatementOut)
    @blp.alt_response(200, schema=StatementOut, description="already issued: that statement")
    def post(self, path, provider_id, month):
        """Issue a provider's statement of an ended month: frozen figures and lines.

        One per provider and month: issuing again returns the issued one (200). The
        current month is refused (409) until it has ended in Jakarta.
        """
        statement, created = statements.issue_statement(
            current_db(), require_principal(), path["provider_id"], Month.parse(path["month"]),
            current_policy().platform_fee_percent)
        view = statements.issued_view(
            statement, statements.provider_name(current_db(), statement.provider_id))
        headers = {"Location": url_for("statements.StatementItem", statement_id=statement.id)}
        return body(view), 201 if created else 200, headers


@blp.route("/statements")
class Statements(MethodView):
    """Issued statements."""

    @roles_required(*READERS)
    @blp.arguments(StatementListArgs(), location="query", unknown=RAISE)
    @blp.response(200, StatementPage)
    def get(self, args):
        """List the issued statements you may see, newest issued first.

        Provider staff see their own provider's; auditors and admins every provider's.
        """
        page = statements.list_statements(current_db(), require_principal(), args)
        return {**page, "items": [body(view) for view in page["items"]]}


@blp.route("/statements/<statement_id>")
class StatementItem(MethodView):
    """One issued statement."""

    @roles_required(*READERS)
    @blp.response(200, StatementOut)
    def get(self, statement_id):
        """Read an issued statement."""
        return body(statements.get_issued(current_db(), require_principal(), statement_id))


@blp.route("/statements/<statement_id>/paid")
class StatementPaid(MethodView):
    """Settling an issued statement."""

    @roles_required("platform_admin")
    @blp.arguments(StatementPaidIn)
    @blp.response(200, StatementOut)
    def post(self, record, statement_id):
        """Record the bank transfer that settled the net payable (platform admin).

        To the provider when positive, from it when negative; no transfer (no
        reference) when 0. Recording the same payment again changes nothing.
        """
        statement = statements.mark_paid(current_db(), require_principal(), statement_id,
                                         record)
        return body(statements.issued_view(
            statement, statements.provider_name(current_db(), statement.provider_id)))


def body(view: statements.StatementView) -> dict[str, Any]:
    """The JSON of a statement view."""
    issued = view.statement
    return {
        "id": issued.id if issued else None, "provider_id": view.provider_id,
        "provider_name": view.provider_name, "month": view.month, "status": view.status,
        "currency": view.currency, "fee_percent": view.fee_percent,
        **_figures(view.totals),
        "issued_at": issued.issued_at if issued else None,
        "issued_by": issued.issued_by if issued else None,
        "paid_on": issued.paid_on if issued else None,
        "bank_reference": issued.bank_reference if issued else None,
        "lines": [{"kind": line.kind, "source_id": line.source_id,
                   "enrolment_id": line.enrolment_id, "booked_at": line.booked_at,
                   "reference": line.reference, "amount": line.amount,
                   "platform_cash": line.platform_cash, "fee": fee,
                   "fee_withheld": line.fee_withheld} for line, fee in view.lines],
    }


def _figures(totals: Totals) -> dict[str, int]:
    return {name: getattr(totals, name) for name in Totals.__dataclass_fields__}


def _csv(view: statements.StatementView) -> Response:
    rows = [["line", line.kind, line.booked_at.astimezone(clock.WIB).isoformat(),
             line.source_id, line.enrolment_id, line.reference, line.amount,
             str(line.platform_cash).lower(), fee, line.fee_withheld]
            for line, fee in view.lines]
    rows += [["total", name, "", "", "", "", value, "", "", ""]
             for name, value in _figures(view.totals).items()]
    return csv_download(CSV_COLUMNS, rows, f"statement-{view.provider_id}-{view.month}.csv")
