"""``/sponsors``: registration, contact details, approval and suspension."""

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from services.sponsorship import service
from services.sponsorship.api import AUTH
from services.sponsorship.schemas.sponsors import (
    ApproveIn,
    ReasonIn,
    SponsorIn,
    SponsorListArgs,
    SponsorOut,
    SponsorPage,
    SponsorPatch,
)
from shared.auth import current_principal, require_principal, roles_required
from shared.idempotency import idempotent
from shared.web import current_db

blp = Blueprint("sponsors", __name__, url_prefix="/sponsors",
                description="Sponsors: ministries, donors, lead buyers, associations.")


@blp.route("")
class Sponsors(MethodView):
    """All sponsors."""

    @blp.arguments(SponsorListArgs, location="query")
    @blp.response(200, SponsorPage)
    def get(self, args):
        """List sponsors, newest first (approved: public; others: their staff, auditors, admins)."""
        return service.list_sponsors(current_db(), current_principal(), args)

    @roles_required("sponsor_staff")
    @idempotent(blp)
    @blp.arguments(SponsorIn)
    @blp.response(201, SponsorOut)
    @blp.doc(**AUTH)
    def post(self, data):
        """Register a sponsor, pending approval (staff not yet acting for one)."""
        sponsor = service.register_sponsor(current_db(), require_principal(), data)
        return sponsor, 201, {"Location": url_for("sponsors.SponsorItem", sponsor_id=sponsor.id)}


@blp.route("/<sponsor_id>")
class SponsorItem(MethodView):
    """One sponsor."""

    @blp.response(200, SponsorOut)
    def get(self, sponsor_id):
        """Read a sponsor (pending or suspended: its staff, auditors and admins)."""
        return service.get_sponsor(current_db(), current_principal(), sponsor_id)

    @roles_required("sponsor_staff")
    @blp.arguments(SponsorPatch)
    @blp.response(200, SponsorOut)
    @blp.doc(**AUTH)
    def patch(self, changes, sponsor_id):
        """Edit the sponsor's contact details (its own staff)."""
        return service.update_sponsor(current_db(), require_principal(), sponsor_id, changes)


@blp.route("/<sponsor_id>/approve")
class ApproveSponsor(MethodView):
    """Approval."""

    @roles_required("platform_admin")
    @blp.arguments(ApproveIn)
    @blp.response(200, SponsorOut)
    @blp.doc(**AUTH)
    def post(self, data, sponsor_id):
        """Approve a pending sponsor or reinstate a suspended one (platform admin)."""
        return service.approve_sponsor(current_db(), require_principal(), sponsor_id,
                                       data["reason"])


@blp.route("/<sponsor_id>/suspend")
class SuspendSponsor(MethodView):
    """Suspension."""

    @roles_required("platform_admin")
    @blp.arguments(ReasonIn)
    @blp.response(200, SponsorOut)
    @blp.doc(**AUTH)
    def post(self, data, sponsor_id):
        """Suspend an approved sponsor, with a reason: its offers stop matching (admin)."""
        return service.suspend_sponsor(current_db(), require_principal(), sponsor_id,
                                       data["reason"])
