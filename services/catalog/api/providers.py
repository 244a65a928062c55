"""``/providers``: registration, profile, approval and suspension."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from services.catalog import service
from services.catalog.api import AUTH
from services.catalog.queries import ProviderListArgs
from services.catalog.schemas import (
    ApproveIn,
    ProviderIn,
    ProviderList,
    ProviderOut,
    ProviderPatch,
    ReasonIn,
    StripeAccountIn,
    StripeAccountOut,
)
from shared.auth import current_principal, require_principal, roles_required
from shared.idempotency import idempotent
from shared.web import current_db

blp = Blueprint("providers", __name__, url_prefix="/providers",
                description="Training providers: registration, approval, suspension.")


@blp.route("")
class Providers(MethodView):
    """All providers."""

    @blp.arguments(ProviderListArgs, location="query", unknown=RAISE)
    @blp.response(200, ProviderList)
    def get(self, args):
        """List providers by status (approved: public; others: auditors and admins)."""
        return {"items": service.list_providers(current_db(), current_principal(),
                                                args["status"])}

    @roles_required("provider_staff")
    @idempotent(blp)
    @blp.arguments(ProviderIn)
    @blp.response(201, ProviderOut)
    @blp.doc(**AUTH)
    def post(self, data):
        """Register a provider, pending approval (staff not yet acting for one)."""
        return service.register_provider(current_db(), require_principal(), data)


@blp.route("/<provider_id>")
class ProviderItem(MethodView):
    """One provider."""

    @blp.response(200, ProviderOut)
    def get(self, provider_id):
        """Read a provider (pending or suspended: its staff, auditors and admins)."""
        return service.get_provider(current_db(), current_principal(), provider_id)

    @roles_required("provider_staff")
    @blp.arguments(ProviderPatch)
    @blp.response(200, ProviderOut)
    @blp.doc(**AUTH)
    def patch(self, changes, provider_id):
        """Edit the provider's profile (its own staff)."""
        return service.update_provider(current_db(), require_principal(), provider_id, changes)


@blp.route("/<provider_id>/approve")
class ApproveProvider(MethodView):
    """Approval."""

    @roles_required("platform_admin")
    @blp.arguments(ApproveIn)
    @blp.response(200, ProviderOut)
    @blp.doc(**AUTH)
    def post(self, data, provider_id):
        """Approve a pending provider or reinstate a suspended one (platform admin)."""
        return service.approve_provider(current_db(), require_principal(), provider_id,
                                        data["reason"])


@blp.route("/<provider_id>/suspend")
class SuspendProvider(MethodView):
    """Suspension."""

    @roles_required("platform_admin")
    @blp.arguments(ReasonIn)
    @blp.response(200, ProviderOut)
    @blp.doc(**AUTH)
    def post(self, data, provider_id):
        """Suspend an approved provider, with a reason (platform admin)."""
        return service.suspend_provider(current_db(), require_principal(), provider_id,
                                        data["reason"])


@blp.route("/<provider_id>/stripe-account")
class ProviderStripeAccount(MethodView):
    """The provider's Stripe connected account (destination charges)."""

    @roles_required("platform_admin", "ilo_auditor", "provider_staff")
    @blp.response(200, StripeAccountOut)
    @blp.doc(**AUTH)
    def get(self, provider_id):
        """Read the provider's Stripe connected account (its staff, auditors and admins)."""
        return _account(service.get_stripe_account(current_db(), require_principal(),
                                                   provider_id))

    @roles_required("platform_admin")
    @blp.arguments(StripeAccountIn)
    @blp.response(200, StripeAccountOut)
    @blp.doc(**AUTH)
    def put(self, data, provider_id):
        """Set or clear (null) the provider's Stripe connected account (platform admin).

        Set it once Stripe has onboarded the provider: card checkouts of its sessions
        then pay into that account (destination charges, the platform fee withheld).
        """
        return _account(service.set_stripe_account(current_db(), require_principal(),
                                                   provider_id, data["stripe_account_id"]))


def _account(provider) -> dict:
    return {"provider_id": provider.id, "stripe_account_id": provider.stripe_account_id}
