"""``/sponsors/<id>/funds`` and ``/funds``: funds, deposits, adjustments, the ledger."""

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from services.sponsorship import service
from services.sponsorship.api import AUTH
from services.sponsorship.schemas.funds import (
    AdjustmentIn,
    DepositIn,
    FundIn,
    FundListArgs,
    FundOut,
    FundPage,
    TransactionListArgs,
    TransactionPage,
)
from services.sponsorship.schemas.sponsors import ReasonIn
from shared.auth import require_principal, roles_required
from shared.idempotency import idempotent
from shared.web import current_db

blp = Blueprint("funds", __name__, description="Funds as ledgers: balances are computed from "
                "append-only transactions and can never go below zero.")

READERS = ("sponsor_staff", "ilo_auditor", "platform_admin")


@blp.route("/sponsors/<sponsor_id>/funds")
class SponsorFunds(MethodView):
    """A sponsor's funds."""

    @roles_required(*READERS, "service")
    @blp.arguments(FundListArgs, location="query")
    @blp.response(200, FundPage)
    @blp.doc(**AUTH)
    def get(self, args, sponsor_id):
        """List the sponsor's funds with balances, newest first (also services: the audit)."""
        return service.list_funds(current_db(), require_principal(), sponsor_id, args)

    @roles_required("sponsor_staff")
    @idempotent(blp)
    @blp.arguments(FundIn)
    @blp.response(201, FundOut)
    @blp.doc(**AUTH)
    def post(self, data, sponsor_id):
        """Open a fund in rupiah or seats (the approved sponsor's staff)."""
        fund = service.create_fund(current_db(), require_principal(), sponsor_id, data)
        return fund, 201, {"Location": url_for("funds.FundItem", fund_id=fund.id)}


@blp.route("/funds/<fund_id>")
class FundItem(MethodView):
    """One fund."""

    @roles_required(*READERS)
    @blp.response(200, FundOut)
    @blp.doc(**AUTH)
    def get(self, fund_id):
        """Read a fund and its balance."""
        return service.get_fund(current_db(), require_principal(), fund_id)


@blp.route("/funds/<fund_id>/deposits")
class Deposits(MethodView):
    """Deposits."""

    @roles_required("sponsor_staff")
    @idempotent(blp)
    @blp.arguments(DepositIn)
    @blp.response(201, FundOut)
    @blp.alt_response(200, schema=FundOut, description="this reference was booked before")
    @blp.doc(**AUTH)
    def post(self, data, fund_id):
        """Add money or seats; the same reference books once."""
        fund, booked = service.deposit(current_db(), require_principal(), fund_id, data)
        return fund, 201 if booked else 200


@blp.route("/funds/<fund_id>/adjustments")
class Adjustments(MethodView):
    """Corrections."""

    @roles_required("sponsor_staff")
    @idempotent(blp)
    @blp.arguments(AdjustmentIn)
    @blp.response(201, FundOut)
    @blp.alt_response(200, schema=FundOut, description="this reference was booked before")
    @blp.doc(**AUTH)
    def post(self, data, fund_id):
        """Book a correction with a reason (a new row; refused below zero available)."""
        fund, booked = service.adjust_fund(current_db(), require_principal(), fund_id, data)
        return fund, 201 if booked else 200


@blp.route("/funds/<fund_id>/close")
class CloseFund(MethodView):
    """Closing."""

    @roles_required("sponsor_staff")
    @blp.arguments(ReasonIn)
    @blp.response(200, FundOut)
    @blp.doc(**AUTH)
    def post(self, data, fund_id):
        """Close the fund: no new reservations; reserved money may still be committed."""
        return service.close_fund(current_db(), require_principal(), fund_id, data["reason"])


@blp.route("/funds/<fund_id>/transactions")
class Transactions(MethodView):
    """The ledger."""

    @roles_required(*READERS)
    @blp.arguments(TransactionListArgs, location="query")
    @blp.response(200, TransactionPage)
    @blp.doc(**AUTH)
    def get(self, args, fund_id):
        """List the fund's ledger rows, newest first."""
        return service.list_transactions(current_db(), require_principal(), fund_id, args)
