"""``/sessions/<id>/enrolments`` (an SME enrols a team) and ``/enrolments`` (reads, cancel)."""

from flask import jsonify, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from services.enrolment.api import current_policy
from services.enrolment.schemas.enrolments import (
    EnrolmentIn,
    EnrolmentListArgs,
    EnrolmentOut,
    EnrolmentPage,
    ReasonIn,
    SessionEnrolmentArgs,
)
from services.enrolment.schemas.waitlist import WaitlistEntryOut
from services.enrolment.service import cancellation, enrolments
from shared.auth import require_principal, roles_required
from shared.idempotency import idempotent
from shared.web import current_db

blp = Blueprint("enrolments", __name__,
                description="Team enrolments: seats held until paid, reads and cancellation.")

READERS = ("sme_user", "provider_staff", "trainer", "ilo_auditor", "platform_admin")


@blp.route("/sessions/<session_id>/enrolments")
class SessionEnrolments(MethodView):
    """A session's enrolments."""

    @roles_required("sme_user")
    @idempotent(blp)
    @blp.arguments(EnrolmentIn)
    @blp.response(201, EnrolmentOut)
    @blp.alt_response(202, schema=WaitlistEntryOut,
                      description="The session is full: the team joined its waitlist.")
    def post(self, data, session_id):
        """Enrol your SME's team: its seats are held until ``expires_at`` while you pay.

        The session must be published and its enrolment deadline (WIB) not passed; an
        SME has one open enrolment per session. When the team does not fit: 409
        ``session-full`` (with ``seats_free``), or with ``join_waitlist_if_full`` 202 and
        a waitlist entry – freed seats are offered first come, first served.
        """
        enrolled = enrolments.enrol_team(current_db(), require_principal(), current_policy(),
                                         session_id, data)
        if enrolled.waitlist_entry is not None:
            response = jsonify(WaitlistEntryOut().dump(enrolled.waitlist_entry))
            response.status_code = 202
            response.headers["Location"] = url_for(
                "waitlist.SmeWaitlist", sme_id=enrolled.waitlist_entry.sme_id)
            return response
        enrolment = enrolled.enrolment
        assert enrolment is not None
        return (enrolments.EnrolmentView(enrolment, []), 201,
                {"Location": url_for("enrolments.EnrolmentItem", enrolment_id=enrolment.id)})

    @roles_required("provider_staff", "trainer", "ilo_auditor", "platform_admin")
    @blp.arguments(SessionEnrolmentArgs(), location="query", unknown=RAISE)
    @blp.response(200, EnrolmentPage)
    def get(self, args, session_id):
        """List a session's enrolments, newest first.

        For the session's provider staff, its trainers, auditors and admins.
        """
        return enrolments.list_session_enrolments(current_db(), require_principal(), session_id,
                                                  args)


@blp.route("/enrolments")
class Enrolments(MethodView):
    """The enrolments the caller may see."""

    @roles_required(*READERS, "service")
    @blp.arguments(EnrolmentListArgs(), location="query", unknown=RAISE)
    @blp.response(200, EnrolmentPage)
    def get(self, args):
        """List the enrolments you may see, newest first.

        An SME its own, provider staff their sessions', trainers the sessions they
        train, auditors, admins and services (the audit's reconciliation) all.
        """
        return enrolments.list_enrolments(current_db(), require_principal(), args)


@blp.route("/enrolments/<enrolment_id>")
class EnrolmentItem(MethodView):
    """One enrolment."""

    @roles_required(*READERS)
    @blp.response(200, EnrolmentOut)
    def get(self, enrolment_id):
        """Read an enrolment with its team, amounts and payments.

        A hold past its expiry shows ``expired`` (it is expired on the spot).
        """
        return enrolments.get_enrolment(current_db(), require_principal(), current_policy(),
                                        enrolment_id)


@blp.route("/enrolments/<enrolment_id>/cancel")
class CancelEnrolment(MethodView):
    """Cancellation by the SME or the provider."""

    @roles_required("sme_user", "provider_staff")
    @blp.arguments(ReasonIn)
    @blp.response(200, EnrolmentOut)
    def post(self, data, enrolment_id):
        """Cancel an enrolment (held, awaiting payment or confirmed): its seats are released.

        Any other state is a 409. A refund follows the cancellation policy.
        """
        principal = require_principal()
        cancellation.cancel_enrolment(current_db(), principal, current_policy(), enrolment_id,
                                      data["reason"])
        return enrolments.get_enrolment(current_db(), principal, current_policy(),
                                        enrolment_id)
