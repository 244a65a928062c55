"""Case studies: an SME's consent to publish its KPI results, and the published studies."""

from flask.views import MethodView
from flask_smorest import Blueprint

from services.enrolment.api import current_policy
from services.enrolment.schemas.case_studies import (
    CaseStudiesOut,
    CaseStudyIn,
    CaseStudyOut,
    ConsentIn,
    ConsentOut,
    ConsentsOut,
)
from services.enrolment.service import case_studies
from shared.auth import require_principal, roles_required
from shared.idempotency import idempotent
from shared.web import current_db

blp = Blueprint("case_studies", __name__,
                description="Case studies: before/after KPI results, published with consent.")

READERS = ("sme_user", "ilo_auditor", "platform_admin")


@blp.route("/smes/<sme_id>/case-study-consents")
class Consents(MethodView):
    """An SME's consents to publish case studies."""

    @roles_required(*READERS)
    @blp.response(200, ConsentsOut)
    def get(self, sme_id):
        """List the SME's consents: who gave each, when, its scope, and if it was used."""
        return {"items": case_studies.list_consents(current_db(), require_principal(), sme_id)}

    @roles_required("sme_user")
    @idempotent(blp)
    @blp.arguments(ConsentIn)
    @blp.response(201, ConsentOut)
    def post(self, data, sme_id):
        """Consent to a case study of these KPIs (the SME's own users)."""
        return case_studies.grant_consent(current_db(), require_principal(), current_policy(),
                                          sme_id, data)


@blp.route("/smes/<sme_id>/case-study-consents/<consent_id>/withdrawal")
class ConsentWithdrawal(MethodView):
    """Withdrawing a consent."""

    @roles_required("sme_user")
    @blp.response(200, ConsentOut)
    def post(self, sme_id, consent_id):
        """Withdraw a consent before a study is published under it (409 after)."""
        return case_studies.withdraw_consent(current_db(), require_principal(), sme_id,
                                             consent_id)


@blp.route("/smes/<sme_id>/case-studies")
class CaseStudies(MethodView):
    """An SME's published case studies."""

    @roles_required(*READERS)
    @blp.response(200, CaseStudiesOut)
    def get(self, sme_id):
        """List the SME's published case studies."""
        return {"items": case_studies.list_case_studies(current_db(), require_principal(),
                                                        sme_id)}

    @roles_required("sme_user")
    @idempotent(blp)
    @blp.arguments(CaseStudyIn)
    @blp.response(201, CaseStudyOut)
    def post(self, data, sme_id):
        """Publish the SME's baseline-to-latest KPI results under its consent.

        The consent must be the SME's, not withdrawn and not used; the study shows
        the KPIs in its scope that have both a baseline and a follow-up.
        """
        return case_studies.publish_case_study(current_db(), require_principal(),
                                               current_policy(), sme_id, data)
