"""HTTP endpoints of the authorization server: token, revocation, logout and the JWKS.

The token, revocation and logout endpoints take ``application/x-www-form-urlencoded``
(RFC 6749, RFC 7009), the only body the OpenAPI document names; JSON is still
accepted for older clients. Errors are problem details carrying the OAuth ``error``
code as an extension member.
"""

from urllib.parse import unquote_plus

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, ValidationError

from services.identity import grants
from services.identity.context import current_identity
from services.identity.grants import IssuedTokens, OAuthError, invalid_request
from services.identity.schemas import (
    ClientCredentialsIn,
    JwksOut,
    LogoutIn,
    PasswordGrantIn,
    RefreshGrantIn,
    RevokeIn,
    TokenOut,
)
from shared.errors import problem
from shared.inputs import RefusedInput
from shared.problems import problem_response
from shared.web import current_db

blp = Blueprint("oauth", __name__, description="OAuth 2.0 tokens and the public signing keys.")
FORM = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


# Every parameter the endpoints here recognise.
_PARAMETERS = frozenset().union(*(schema._declared_fields for schema in (
    PasswordGrantIn, RefreshGrantIn, ClientCredentialsIn, RevokeIn, LogoutIn)))


def _form(schema: type[Schema] | dict) -> dict:
    return {"requestBody": {"required": True, "content": {FORM: {"schema": schema}}}}


# One body per grant, told apart by grant_type, so each lists what it requires.
TOKEN_REQUEST = {
    "oneOf": [PasswordGrantIn, RefreshGrantIn, ClientCredentialsIn],
    "discriminator": {"propertyName": "grant_type", "mapping": {
        "password": "#/components/schemas/PasswordGrantIn",
        "refresh_token": "#/components/schemas/RefreshGrantIn",
        "client_credentials": "#/components/schemas/ClientCredentialsIn"}},
}


@blp.errorhandler(OAuthError)
def _oauth_problem(error: OAuthError):
    body = problem(error.status, error.title, error.detail, error.type_slug, error.errors,
                   error=error.error)
    headers = dict(NO_STORE)
    if error.status == 401:
        basic = request.authorization is not None and request.authorization.type == "basic"
        headers["WWW-Authenticate"] = 'Basic realm="score"' if basic else "Bearer"
    return problem_response(body, error.status, headers)


@blp.errorhandler(RefusedInput)
def _refused_input(error: RefusedInput):
    # Input the shared guard refused before the view ran is, in OAuth's words,
    # an invalid request (RFC 6749 section 5.2), answered with its error code.
    return _oauth_problem(invalid_request(error.detail, errors=error.errors))


@blp.route("/oauth/token")
class Token(MethodView):
    """The token endpoint."""

    @blp.doc(operationId="post_token", **_form(TOKEN_REQUEST))
    @blp.response(200, TokenOut)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self):
        """Issue tokens for a password, refresh_token or client_credentials grant."""
        params = _params()
        grant_type = params.get("grant_type")
        if not grant_type:
            raise invalid_request("grant_type is required",
                                  errors={"grant_type": ["Missing data for required field."]})
        issue = _GRANTS.get(grant_type)
        if issue is None:
            raise grants.unsupported_grant_type(str(grant_type))
        return _token_response(issue(params)), 200, NO_STORE


def _password(params: dict) -> IssuedTokens:
    data = _load(PasswordGrantIn, params)
    return grants.password_grant(current_db(), current_identity(), data["username"],
                                 data["password"], data.get("org_id"),
                                 request.remote_addr or "unknown")


def _refresh(params: dict) -> IssuedTokens:
    data = _load(RefreshGrantIn, params)
    return grants.refresh_grant(current_db(), current_identity(), data["refresh_token"])


def _client_credentials(params: dict) -> IssuedTokens:
    data = _load(ClientCredentialsIn, {**params, **_basic_credentials(params)})
    return grants.client_credentials_grant(current_db(), current_identity(), data["client_id"],
                                           data["client_secret"])


_GRANTS = {"password": _password, "refresh_token": _refresh,
           "client_credentials": _client_credentials}


def _basic_credentials(params: dict) -> dict:
    """Client credentials from HTTP Basic (RFC 6749 section 2.3.1), if used."""
    auth = request.authorization
    if auth is None or auth.type != "basic":
        return {}
    if "client_secret" in params:
        raise invalid_request("authenticate the client one way only, not Basic and body")
    # The client id and secret are form-encoded before Base64.
    return {"client_id": unquote_plus(auth.username or ""),
            "client_secret": unquote_plus(auth.password or "")}


def _token_response(tokens: IssuedTokens) -> dict:
    body = {"access_token": tokens.access_token, "token_type": tokens.token_type,
            "expires_in": tokens.expires_in}
    if tokens.refresh_token:
        body["refresh_token"] = tokens.refresh_token
    return body


@blp.route("/oauth/revoke")
class Revoke(MethodView):
    """Token revocation (RFC 7009)."""

    @blp.doc(operationId="post_revoke", **_form(RevokeIn))
    @blp.response(200)
    @blp.alt_response(400, response="BAD_REQUEST")
    def post(self):
        """Revoke a refresh token and every token of its sign-in; unknown tokens are ignored."""
        data = _load(RevokeIn, _params())
        grants.revoke_refresh_token(current_db(), current_identity(), data["token"])
        return {}, 200, NO_STORE


@blp.route("/auth/logout")
class Logout(MethodView):
    """Signing out."""

    @blp.doc(operationId="post_logout", **_form(LogoutIn))
    @blp.response(204)
    @blp.alt_response(400, response="BAD_REQUEST")
    def post(self):
        """End a sign-in: its refresh token (and its family) stop working."""
        data = _load(LogoutIn, _params())
        grants.revoke_refresh_token(current_db(), current_identity(), data["refresh_token"])


@blp.route("/.well-known/jwks.json")
class Jwks(MethodView):
    """The public signing keys."""

    @blp.response(200, JwksOut)
    def get(self):
        """Publish the keys that verify access tokens (current first, then previous)."""
        return current_identity().keys.jwks(), 200, {"Cache-Control": "public, max-age=300"}


def _params() -> dict:
    """Request parameters from a form or JSON body; parameters must not repeat."""
    if request.mimetype == FORM:
        # Unrecognised parameters are ignored (RFC 6749 section 3.1), repeated or not.
        repeated = sorted(k for k in request.form
                          if k in _PARAMETERS and len(request.form.getlist(k)) > 1)
        if repeated:
            raise invalid_request("parameters must not be repeated",
                                  errors={k: ["repeated"] for k in repeated})
        return request.form.to_dict()
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise invalid_request("the body is not a JSON object")
        # Parameters are strings, as in a form: a list or an object is refused, not
        # passed on to code that expects text.
        not_text = sorted(k for k, v in body.items() if not isinstance(v, str))
        if not_text:
            raise invalid_request("parameters must be strings",
                                  errors={k: ["Not a valid string."] for k in not_text})
        return body
    raise invalid_request(f"send {FORM} or application/json")


def _load(schema: type[Schema], params: dict) -> dict:
    """Validate parameters; unknown ones are ignored, as RFC 6749 asks."""
    try:
        return schema(unknown=EXCLUDE).load(params)
    except ValidationError as exc:
        raise invalid_request("missing or invalid parameters",
                              errors=exc.normalized_messages()) from exc
