"""``/log``: the verifiable log – signed tree heads, inclusion and consistency proofs, keys.

Heads and consistency proofs say nothing about any entry, so every reader of
the log has them; an inclusion proof carries its entry, so a provider gets it
only for their own entries (404 otherwise, :mod:`services.audit.access`). The
keys that sign heads are public.
"""

from __future__ import annotations

from flask import Response, current_app, json
from flask.views import MethodView
from flask_smorest import Blueprint

from services.audit.access import READERS
from services.audit.api import AUTH
from services.audit.log import proofs
from services.audit.schemas.log import (
    ConsistencyArgs,
    ConsistencyOut,
    HeadPageArgs,
    InclusionArgs,
    InclusionOut,
    TreeHeadOut,
    TreeHeadPage,
)
from shared.auth import require_principal, roles_required
from shared.web import current_db

blp = Blueprint("log", __name__, url_prefix="/log",
                description="The verifiable log: signed tree heads, RFC 9162 proofs, keys.")

JWKS_DOC = {"200": {"description": "a JSON Web Key Set (Ed25519, kid = a head's key_id)",
                    "content": {"application/json": {"schema": {
                        "type": "object", "required": ["keys"], "properties": {
                            "keys": {"type": "array", "items": {"type": "object"}}}}}}}}


@blp.route("/head")
class LatestHead(MethodView):
    """The newest signed tree head."""

    @roles_required(*READERS)
    @blp.response(200, TreeHeadOut)
    @blp.doc(**AUTH)
    def get(self):
        """Read the latest signed tree head (404 before the first)."""
        return proofs.latest_head(current_db())


@blp.route("/heads")
class Heads(MethodView):
    """Every signed tree head."""

    @roles_required(*READERS)
    @blp.arguments(HeadPageArgs, location="query")
    @blp.response(200, TreeHeadPage)
    @blp.doc(**AUTH)
    def get(self, args):
        """List signed tree heads, largest first."""
        return proofs.list_heads(current_db(), args)


@blp.route("/entries/<int:seq>/inclusion")
class EntryInclusion(MethodView):
    """An entry's inclusion proof, by its sequence number (leaf index)."""

    @roles_required(*READERS)
    @blp.arguments(InclusionArgs, location="query")
    @blp.response(200, InclusionOut)
    @blp.doc(**AUTH)
    def get(self, args, seq):
        """Prove entry ``seq`` is in a signed tree (providers: their own entries)."""
        return proofs.inclusion(current_db(), require_principal(), seq=seq,
                                size=args.get("size"))


@blp.route("/events/<event_id>/inclusion")
class EventInclusion(MethodView):
    """An entry's inclusion proof, by its CloudEvent id."""

    @roles_required(*READERS)
    @blp.arguments(InclusionArgs, location="query")
    @blp.response(200, InclusionOut)
    @blp.doc(**AUTH)
    def get(self, args, event_id):
        """Prove the event ``event_id`` is in a signed tree (providers: their own)."""
        return proofs.inclusion(current_db(), require_principal(), event_id=event_id,
                                size=args.get("size"))


@blp.route("/consistency")
class Consistency(MethodView):
    """A consistency proof between two signed heads."""

    @roles_required(*READERS)
    @blp.arguments(ConsistencyArgs, location="query")
    @blp.response(200, ConsistencyOut)
    @blp.doc(**AUTH)
    def get(self, args):
        """Prove the signed tree of size ``second`` extends the one of size ``first``."""
        return proofs.consistency(current_db(), args["first"], args["second"])


@blp.route("/jwks.json")
class Keys(MethodView):
    """The keys that sign tree heads (public)."""

    @blp.doc(responses=JWKS_DOC)
    def get(self):
        """Read the head signing keys as a JWKS (current first, then rotated-out ones)."""
        response = Response(json.dumps(current_app.extensions["audit_signer"].jwks()),
                            mimetype="application/json")
        response.cache_control.public = True
        response.cache_control.max_age = 300
        return response
