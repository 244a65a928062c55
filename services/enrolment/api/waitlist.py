"""Waitlists: a session's queue, an SME's entries, and withdrawing from a queue."""

from flask.views import MethodView
from flask_smorest import Blueprint

from services.enrolment.schemas.waitlist import WaitlistEntryList
from services.enrolment.service import waitlist_entries
from shared.auth import require_principal, roles_required
from shared.web import current_db

blp = Blueprint("waitlist", __name__,
                description="Teams waiting for seats in full sessions, first come first served.")


@blp.route("/sessions/<session_id>/waitlist")
class SessionWaitlist(MethodView):
    """A session's waitlist."""

    @roles_required("provider_staff", "ilo_auditor", "platform_admin")
    @blp.response(200, WaitlistEntryList)
    def get(self, session_id):
        """List a session's waitlist in queue order (its provider's staff, auditors, admins)."""
        return {"items": waitlist_entries.session_waitlist(current_db(), require_principal(),
                                                           session_id)}


@blp.route("/smes/<sme_id>/waitlist")
class SmeWaitlist(MethodView):
    """An SME's waitlist entries."""

    @roles_required("sme_user", "ilo_auditor", "platform_admin")
    @blp.response(200, WaitlistEntryList)
    def get(self, sme_id):
        """List an SME's waitlist entries, newest first, with their place in the queue."""
        return {"items": waitlist_entries.sme_waitlist(current_db(), require_principal(),
                                                       sme_id)}


@blp.route("/waitlist/<int(min=1, max=2147483647):entry_id>")
class WaitlistEntryItem(MethodView):
    """One waitlist entry."""

    @roles_required("sme_user")
    @blp.response(204)
    def delete(self, entry_id):
        """Withdraw your SME's team from a waitlist (409 once seats were offered to it)."""
        waitlist_entries.withdraw(current_db(), require_principal(), entry_id)
