"""HTTP API for users, memberships and machine clients (tokens are in ``oauth_api``)."""

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from services.identity import clients as client_cases
from services.identity import service
from services.identity.context import current_identity
from services.identity.schemas import (
    ClientCreatedOut,
    ClientIn,
    ClientOut,
    MembershipIn,
    MembershipOut,
    MeOut,
    RegistrationIn,
    UserOut,
    UserPageOut,
    UserPageQuery,
)
from shared.auth import require_principal, roles_required
from shared.idempotency import idempotent
from shared.web import current_db

users = Blueprint("users", __name__, description="User accounts: sign-up and look-up.")
memberships = Blueprint("memberships", __name__,
                        description="Who holds which role in which organisation.")
clients = Blueprint("clients", __name__,
                    description="Machine clients using the client-credentials grant.")
BEARER: dict[str, list[dict[str, list[str]]]] = {"security": [{"bearerAuth": []}]}


@users.route("/users")
class Users(MethodView):
    """All user accounts."""

    @idempotent(users)
    @users.arguments(RegistrationIn)
    @users.response(201, UserOut)
    @users.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Register a new account (self-service)."""
        user = service.register_user(current_db(), current_identity(), **data)
        return user, 201, {"Location": url_for("users.UserItem", user_id=user.id)}

    @roles_required("platform_admin", "ilo_auditor")
    @users.arguments(UserPageQuery, location="query")
    @users.response(200, UserPageOut)
    @users.doc(**BEARER)
    def get(self, query):
        """List users a page at a time (platform admins and ILO auditors)."""
        items, total = service.list_users(current_db(), query["page"], query["per_page"],
                                          query.get("email"))
        return {"items": items, "page": query["page"], "per_page": query["per_page"],
                "total": total}


@users.route("/users/<user_id>")
class UserItem(MethodView):
    """One user account."""

    @users.response(200, UserOut)
    @users.alt_response(404, response="NOT_FOUND")
    @users.doc(**BEARER)
    def get(self, user_id):
        """Read a user (yourself, or anyone as admin or auditor)."""
        return service.get_user(current_db(), require_principal(), user_id)


@users.route("/me")
class Me(MethodView):
    """The signed-in user."""

    @users.response(200, MeOut)
    @users.alt_response(404, response="NOT_FOUND")
    @users.doc(**BEARER)
    def get(self):
        """Read your account, the organisation your token acts for and your memberships."""
        principal = require_principal()
        user = service.get_user(current_db(), principal, principal.subject)
        active = [m for m in service.list_memberships(current_db(), principal, user.id)
                  if m.active]
        return {"id": user.id, "email": user.email, "name": user.name,
                "intended_role": user.intended_role, "created_at": user.created_at,
                "role": principal.role, "org": principal.org, "org_type": principal.org_type,
                "memberships": active}


@memberships.route("/users/<user_id>/memberships")
class UserMemberships(MethodView):
    """A user's memberships."""

    @roles_required("platform_admin")
    @idempotent(memberships)
    @memberships.arguments(MembershipIn)
    @memberships.response(201, MembershipOut)
    @memberships.alt_response(404, response="NOT_FOUND")
    @memberships.alt_response(409, response="CONFLICT")
    @memberships.doc(**BEARER)
    def post(self, data, user_id):
        """Grant a user a role in an organisation (platform admins)."""
        return service.grant_membership(current_db(), current_identity(), require_principal(),
                                        user_id, **data)

    @memberships.response(200, MembershipOut(many=True))
    @memberships.alt_response(404, response="NOT_FOUND")
    @memberships.doc(**BEARER)
    def get(self, user_id):
        """List a user's memberships, revoked ones included."""
        return service.list_memberships(current_db(), require_principal(), user_id)


@memberships.route("/memberships/<membership_id>")
class MembershipItem(MethodView):
    """One membership."""

    @roles_required("platform_admin")
    @memberships.response(204)
    @memberships.alt_response(404, response="NOT_FOUND")
    @memberships.alt_response(409, response="CONFLICT")
    @memberships.doc(**BEARER)
    def delete(self, membership_id):
        """Revoke a membership and the sign-ins made with it (platform admins)."""
        service.revoke_membership(current_db(), current_identity(), require_principal(),
                                  membership_id)


@clients.route("/clients")
class Clients(MethodView):
    """Machine clients."""

    @roles_required("platform_admin")
    @clients.arguments(ClientIn)
    @clients.response(201, ClientCreatedOut)
    @clients.doc(**BEARER)
    def post(self, data):
        """Register a machine client; its secret is shown in this response only."""
        client, secret = client_cases.create_client(current_db(), current_identity(),
                                                    require_principal(), **data)
        return {"id": client.id, "name": client.name, "role": client.role,
                "org_type": client.org_type, "org_id": client.org_id,
                "created_by": client.created_by, "created_at": client.created_at,
                "revoked_at": client.revoked_at, "client_secret": secret}

    @roles_required("platform_admin")
    @clients.response(200, ClientOut(many=True))
    @clients.doc(**BEARER)
    def get(self):
        """List machine clients (platform admins)."""
        return client_cases.list_clients(current_db())


@clients.route("/clients/<client_id>")
class ClientItem(MethodView):
    """One machine client."""

    @roles_required("platform_admin")
    @clients.response(204)
    @clients.alt_response(404, response="NOT_FOUND")
    @clients.alt_response(409, response="CONFLICT")
    @clients.doc(**BEARER)
    def delete(self, client_id):
        """Revoke a machine client so it gets no new tokens (platform admins)."""
        client_cases.revoke_client(current_db(), current_identity(), client_id)


BLUEPRINTS = (users, memberships, clients)
