"""``/offers``: what funds pay for, under which rules."""

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError

from services.sponsorship import service
from services.sponsorship.api import AUTH
from services.sponsorship.schemas.offers import (
    OfferCheckIn,
    OfferCheckOut,
    OfferIn,
    OfferListArgs,
    OfferOut,
    OfferPage,
)
from services.sponsorship.schemas.sponsors import ReasonIn
from shared.auth import current_principal, require_principal, roles_required
from shared.idempotency import idempotent
from shared.web import current_db

blp = Blueprint("offers", __name__, description="Offers: a fund's eligibility rules and share.")


@blp.route("/funds/<fund_id>/offers")
class FundOffers(MethodView):
    """A fund's offers."""

    @roles_required("sponsor_staff")
    @idempotent(blp)
    @blp.arguments(OfferIn)
    @blp.response(201, OfferOut)
    @blp.doc(**AUTH)
    def post(self, data, fund_id):
        """Draft an offer on the fund (its sponsor's staff); rules never change once written."""
        offer = service.create_offer(current_db(), require_principal(), fund_id, data)
        return offer, 201, {"Location": url_for("offers.OfferItem", offer_id=offer.id)}


@blp.route("/offers")
class Offers(MethodView):
    """All offers."""

    @blp.arguments(OfferListArgs, location="query")
    @blp.response(200, OfferPage)
    def get(self, args):
        """List offers, newest first (published: public; others: their sponsor's readers)."""
        return service.list_offers(current_db(), current_principal(), args)


@blp.route("/offer-checks")
class OfferChecks(MethodView):
    """Checking a draft (not under ``/offers/``, where a segment is an offer id)."""

    @roles_required("sponsor_staff")
    @blp.arguments(OfferCheckIn)
    @blp.response(200, OfferCheckOut)
    @blp.doc(**AUTH)
    def post(self, data):
        """What drafting this offer would refuse, without drafting it (its sponsor's staff).

        The same schema and rules as ``POST /funds/{fund_id}/offers``, and with
        ``fund_id`` the same checks of the fund; the field errors come back in a 200,
        as the 422 would name them, so a form can show them while it is being typed.
        """
        draft = {key: value for key, value in data.items() if key != "fund_id"}
        errors: dict = {}
        try:
            OfferIn().load(draft)
        except ValidationError as invalid:
            errors.update(invalid.normalized_messages())
        if "fund_id" in data:
            refused = service.fund_refusals(current_db(), require_principal(), data["fund_id"])
            if refused:
                errors["fund_id"] = refused
        return {"valid": not errors, "errors": errors}


@blp.route("/offers/<offer_id>")
class OfferItem(MethodView):
    """One offer."""

    @blp.response(200, OfferOut)
    def get(self, offer_id):
        """Read an offer (drafts and withdrawn ones: its sponsor's staff, auditors, admins)."""
        return service.get_offer(current_db(), current_principal(), offer_id)


@blp.route("/offers/<offer_id>/publish")
class PublishOffer(MethodView):
    """Publishing."""

    @roles_required("sponsor_staff")
    @blp.response(200, OfferOut)
    @blp.doc(**AUTH)
    def post(self, offer_id):
        """Publish a draft: it matches at checkout from now on."""
        return service.publish_offer(current_db(), require_principal(), offer_id)


@blp.route("/offers/<offer_id>/withdraw")
class WithdrawOffer(MethodView):
    """Withdrawal."""

    @roles_required("sponsor_staff")
    @blp.arguments(ReasonIn)
    @blp.response(200, OfferOut)
    @blp.doc(**AUTH)
    def post(self, data, offer_id):
        """Withdraw an offer, with a reason; reservations already made stand."""
        return service.withdraw_offer(current_db(), require_principal(), offer_id,
                                      data["reason"])
