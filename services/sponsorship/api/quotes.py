"""``/quotes`` and ``/reservations``: matching at checkout, and what it reserved."""

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from services.sponsorship import service
from services.sponsorship.api import AUTH
from services.sponsorship.schemas.quotes import (
    QuoteIn,
    QuoteOut,
    ReservationListArgs,
    ReservationOut,
    ReservationPage,
)
from shared.auth import require_principal, roles_required
from shared.idempotency import idempotent
from shared.web import current_db

blp = Blueprint("quotes", __name__, description="Quotes at checkout and the reservations "
                "they make (docs/SPONSORSHIP.md).")

READERS = ("sme_user", "provider_staff", "sponsor_staff", "ilo_auditor", "platform_admin",
           "service")


@blp.route("/quotes")
class Quotes(MethodView):
    """Quotes."""

    @roles_required("sme_user", "platform_admin", "service")
    @idempotent(blp)
    @blp.arguments(QuoteIn)
    @blp.response(200, QuoteOut)
    @blp.alt_response(201, schema=QuoteOut, description="a reservation was made")
    @blp.doc(**AUTH)
    def post(self, data):
        """What sponsors pay for a team, and why other offers do not apply.

        Policy: each non-stackable offer alone, or all stackable offers together;
        the option covering most wins, then the one whose fund expires first; offers
        pay in order of their fund's expiry, never more than the price. With
        ``reserve`` the plan becomes a reservation for the seat hold (201), made
        once per ``hold_id``: a retry answers the first reservation (200). Only the
        SME's own users (and internal services) reserve; admins may preview.
        """
        result = service.quote(current_db(), require_principal(), data)
        if not result.created:
            return result
        location = url_for("quotes.ReservationItem", reservation_id=result.reservation.id)
        return result, 201, {"Location": location}


@blp.route("/reservations")
class Reservations(MethodView):
    """Reservations."""

    @roles_required(*READERS)
    @blp.arguments(ReservationListArgs, location="query")
    @blp.response(200, ReservationPage)
    @blp.doc(**AUTH)
    def get(self, args):
        """List the reservations you may see, newest first (the SME's: offers applied to it)."""
        return service.list_reservations(current_db(), require_principal(), args)


@blp.route("/reservations/<reservation_id>")
class ReservationItem(MethodView):
    """One reservation."""

    @roles_required(*READERS)
    @blp.response(200, ReservationOut)
    @blp.doc(**AUTH)
    def get(self, reservation_id):
        """Read a reservation (its SME, provider, paying sponsors, auditors, admins)."""
        return service.get_reservation(current_db(), require_principal(), reservation_id)
