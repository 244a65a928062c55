"""Credentials: public reads and verification (no token needed), a certifier's revocation.

``GET /credentials/<id>`` answers JSON, or the verification page when the browser asks
for ``text/html``; ``GET /verify`` is the page to paste a token into, whose form posts to
``POST /verify`` (an HTML answer). ``POST /credentials/verify`` is the same check for
programs. Revocation is a platform admin's: an ILO-designated certifier is a
``platform_admin`` account (there is no separate certifier role).
"""

from __future__ import annotations

from flask import Response, render_template, request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.certification.api import AUTH, READERS
from services.certification.credentials.verify import Verification
from services.certification.issuer import current_issuer
from services.certification.models import Credential
from services.certification.schemas.credentials import (
    CredentialOut,
    RevokeIn,
    SmeCertificatesOut,
    VerificationOut,
    VerifyForm,
    VerifyIn,
)
from services.certification.service import credentials
from shared.auth import require_principal, roles_required
from shared.idempotency import idempotent
from shared.web import current_db

blp = Blueprint("credentials", __name__,
                description="Issued credentials: public reads and verification, revocation.")

HTML = {"200": {"description": "an HTML page", "content": {"text/html": {
    "schema": {"type": "string"}}}}}


def verification_body(result: Verification) -> dict:
    """The JSON of a verification outcome."""
    return {"valid": result.valid, "reasons": [r.value for r in result.reasons],
            "details": list(result.details), "credential": result.credential}


def _body(credential: Credential) -> dict:
    result = credentials.verify_token(current_db(), credential.token)
    return {"id": credential.id, "kind": credential.kind,
            "module_code": credential.module_code, "subject_name": credential.subject_name,
            "valid_from": credential.valid_from, "valid_until": credential.valid_until,
            "issued_at": credential.issued_at, "revoked": credential.revoked_at is not None,
            "revoked_at": credential.revoked_at,
            "status_list": credentials.list_url(current_issuer(), credential.status_list_id),
            "status_index": credential.status_index, "token": credential.token,
            "credential": credentials.document_of(credential),
            "verification": verification_body(result)}


def _page(result: Verification | None, token: str = "", credential_id: str | None = None):
    return render_template("credentials/verify.html", result=result, token=token,
                           credential_id=credential_id,
                           subject=_subject(result.credential) if result else None,
                           issuer=current_issuer())


def _subject(document: dict | None) -> dict:
    """What the page shows of a verified credential (names and dates, never trusted HTML)."""
    subject = (document or {}).get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    names = [i.get("identityHash") for i in subject.get("identifier") or []
             if isinstance(i, dict) and i.get("identityType") == "name"]
    return {"name": names[0] if names else None, "achievement": achievement.get("name"),
            "valid_from": (document or {}).get("validFrom"),
            "valid_until": (document or {}).get("validUntil")}


# A UUID in the path, so that ``/credentials/verify`` is no credential (nor a GET).
@blp.route("/credentials/<uuid:credential_id>")
class CredentialItem(MethodView):
    """One issued credential."""

    @blp.response(200, CredentialOut)
    @blp.doc(responses={"200": {"content": HTML["200"]["content"]}})
    def get(self, credential_id):
        """Read a credential and whether it verifies now (HTML for a browser)."""
        credential = credentials.get_credential(current_db(), str(credential_id))
        if request.accept_mimetypes.best_match(["application/json", "text/html"]) \
                == "text/html":
            result = credentials.verify_token(current_db(), credential.token)
            response = Response(_page(result, credential.token, credential.id),
                                mimetype="text/html")
            response.vary.add("Accept")
            return response
        return _body(credential)


@blp.route("/trainers/<trainer_id>/credentials")
class TrainerCredentials(MethodView):
    """A trainer's credentials."""

    @roles_required(*READERS)
    @blp.response(200, CredentialOut(many=True))
    @blp.doc(**AUTH)
    def get(self, trainer_id):
        """List a trainer's credentials, newest first, each with whether it verifies now.

        For the trainer, their experts, their provider, auditors and admins.
        """
        return [_body(c) for c in credentials.list_for_trainer(current_db(), require_principal(),
                                                               trainer_id)]


@blp.route("/credentials/verify")
class VerifyCredential(MethodView):
    """Verification for programs."""

    @blp.arguments(VerifyIn)
    @blp.response(200, VerificationOut)
    def post(self, body):
        """Verify a credential JWT: signature, validity window and revocation, with reasons."""
        return verification_body(credentials.verify_token(current_db(), body["token"]))


@blp.route("/credentials/<uuid:credential_id>/revoke")
class RevokeCredential(MethodView):
    """Revoking one credential."""

    @roles_required("platform_admin")
    @idempotent(blp)
    @blp.arguments(RevokeIn)
    @blp.response(200, CredentialOut)
    @blp.doc(**AUTH)
    def post(self, body, credential_id):
        """Revoke a credential with a reason: its status list bit is set and republished."""
        return _body(credentials.revoke_credential(current_db(), require_principal(),
                                                   str(credential_id), body["reason"]))


@blp.route("/smes/<sme_id>/credentials")
class SmeCertificates(MethodView):
    """An SME's participation certificates."""

    @roles_required("sme_user", "ilo_auditor", "platform_admin")
    @blp.response(200, SmeCertificatesOut)
    @blp.doc(**AUTH)
    def get(self, sme_id):
        """List the participation certificates of an SME's participants, newest first.

        The SME's users, auditors and admins; another SME's list is a 404.
        """
        found = credentials.sme_certificates(current_db(), require_principal(), sme_id)
        return {"items": [{"id": c.id, "module_code": c.module_code,
                           "subject_name": c.subject_name, "enrolment_id": c.enrolment_id,
                           "participant_id": c.participant_id, "valid_from": c.valid_from,
                           "issued_at": c.issued_at, "revoked": c.revoked_at is not None,
                           "token": c.token} for c in found]}


@blp.route("/verify")
class VerifyPage(MethodView):
    """The public verification page."""

    @blp.doc(responses=HTML)
    def get(self):
        """Open the verification page: paste a credential JWT to check it."""
        return Response(_page(None), mimetype="text/html")

    @blp.arguments(VerifyForm, location="form")
    @blp.doc(responses=HTML)
    def post(self, form):
        """Verify a pasted credential JWT and show the outcome as a page."""
        result = credentials.verify_token(current_db(), form["token"])
        return Response(_page(result, form["token"]), mimetype="text/html")
