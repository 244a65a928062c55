"""Credential schemas: the public read, verification, and a certifier's revocation."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.certification.credentials.verify import Reason
from services.certification.models.credentials import CREDENTIAL_KINDS

#: A compact JWS is three base64url parts; anything longer than this is not one of ours.
MAX_TOKEN = 20_000


class VerifyIn(Schema):
    """A credential to verify, as the holder presents it."""

    token = fields.String(required=True, validate=validate.Length(1, MAX_TOKEN), metadata={
        "description": "the credential as a compact JWS (JWT-VC)"})


class VerifyForm(VerifyIn):
    """The verification page's form (the same field, form-encoded)."""


class VerificationOut(Schema):
    """The outcome: valid, or each reason it is not."""

    valid = fields.Boolean(required=True)
    reasons = fields.List(fields.String(validate=validate.OneOf([r.value for r in Reason])),
                          required=True, metadata={"description": "coded reasons, in order "
                          "(MALFORMED, UNKNOWN_ISSUER_KEY, SIGNATURE_INVALID, CLAIMS_MISMATCH, "
                          "NOT_YET_VALID, EXPIRED, REVOKED, SUSPENDED, STATUS_UNAVAILABLE)"})
    details = fields.List(fields.String(), required=True,
                          metadata={"description": "one English sentence per reason"})
    credential = fields.Dict(required=True, allow_none=True, metadata={
        "description": "the signed credential (null when the signature could not be checked)"})


class RevokeIn(Schema):
    """Why a credential is revoked (kept with it and in ``credential.revoked``)."""

    reason = fields.String(required=True, validate=validate.Length(1, 500))


class CredentialOut(Schema):
    """A credential as issued, its JWT, and whether it verifies now."""

    id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CREDENTIAL_KINDS))
    module_code = fields.String(required=True)
    subject_name = fields.String(required=True)
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True, allow_none=True)
    issued_at = fields.AwareDateTime(required=True)
    revoked = fields.Boolean(required=True)
    revoked_at = fields.AwareDateTime(required=True, allow_none=True, metadata={
        "description": "when it was revoked (the reason stays with the certifiers)"})
    status_list = fields.String(required=True, metadata={
        "description": "URL of the status list credential holding its revocation bit"})
    status_index = fields.Integer(required=True)
    token = fields.String(required=True, metadata={"description": "the JWT-VC"})
    credential = fields.Dict(required=True, metadata={"description": "the OB 3.0 credential"})
    verification = fields.Nested(VerificationOut, required=True)


class SmeCertificateOut(Schema):
    """A participation certificate of one of an SME's participants."""

    id = fields.String(required=True)
    module_code = fields.String(required=True)
    subject_name = fields.String(required=True, metadata={"description": "the participant"})
    enrolment_id = fields.String(required=True)
    participant_id = fields.String(required=True)
    valid_from = fields.Date(required=True)
    issued_at = fields.AwareDateTime(required=True)
    revoked = fields.Boolean(required=True)
    token = fields.String(required=True, metadata={"description": "the JWT-VC"})


class SmeCertificatesOut(Schema):
    """An SME's participation certificates, newest first."""

    items = fields.List(fields.Nested(SmeCertificateOut), required=True)
