"""What verifiers fetch: the issuer's DID document and JWKS, and the status lists.

All public and cacheable. A status list is served as the JWT-VC it is
(``application/vc+jwt``) with a short ``max-age`` (the list's ``ttl``) and an ETag per
revision, so verifiers re-fetch cheaply and see a revocation within a minute.
"""

from __future__ import annotations

from flask import Response, json, request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.certification.issuer import current_issuer
from services.certification.service import credentials
from shared.web import current_db

blp = Blueprint("wellknown", __name__,
                description="The issuer's keys (DID document, JWKS) and status lists.")

JWT_MEDIA_TYPE = "application/vc+jwt"
JSON_DOC = {"200": {"description": "a JSON Web Key Set", "content": {"application/json": {
    "schema": {"type": "object", "required": ["keys"], "properties": {
        "keys": {"type": "array", "items": {"type": "object"}}}}}}}}
LIST_DOC = {"200": {"description": "the BitstringStatusListCredential as a JWT-VC",
                    "content": {JWT_MEDIA_TYPE: {"schema": {"type": "string"}}}},
            "304": {"description": "unchanged since the ETag given"}}
DID_DOC = {"200": {"description": "a DID document", "content": {"application/did+json": {
    "schema": {"type": "object", "required": ["id", "verificationMethod"], "properties": {
        "id": {"type": "string"},
        "verificationMethod": {"type": "array", "items": {"type": "object"}}}}}}}}
MAX_AGE = int(credentials.LIST_TTL.total_seconds())


def _json(document: dict, media_type: str = "application/json") -> Response:
    response = Response(json.dumps(document), mimetype=media_type)
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@blp.route("/.well-known/did.json")
class DidDocument(MethodView):
    """The issuer's did:web document."""

    @blp.doc(responses=DID_DOC)
    def get(self):
        """Read the issuer's DID document (its verification keys as JsonWebKey2020)."""
        return _json(current_issuer().did_document(), "application/did+json")


@blp.route("/.well-known/jwks.json")
class Jwks(MethodView):
    """The issuer's keys."""

    @blp.doc(responses=JSON_DOC)
    def get(self):
        """Read the issuer's public keys as a JWKS (kid = the key's DID URL)."""
        return _json(credentials.jwks())


@blp.route("/status-lists/<list_id>")
class StatusListItem(MethodView):
    """A published status list."""

    @blp.doc(responses=LIST_DOC)
    def get(self, list_id):
        """Read a status list as a signed BitstringStatusListCredential (JWT-VC)."""
        published = credentials.published_list(current_db(), list_id)
        if request.if_none_match.contains(published.etag):
            response = Response(status=304)
        else:
            response = Response(published.token, mimetype=JWT_MEDIA_TYPE)
        response.set_etag(published.etag)
        response.cache_control.public = True
        response.cache_control.max_age = MAX_AGE
        return response
