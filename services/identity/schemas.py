"""Request and response schemas of the identity API."""

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from services.identity.models import CLIENT_ROLES, ORG_TYPES, ROLE_ORG_TYPES, SELF_SERVICE_ROLES
from services.identity.passwords import MAX_LENGTH, MIN_LENGTH, password_problems
from shared.openapi import OPTIONAL

ORG_ID = validate.Length(1, 64)
# Page 100,000 at 100 a page is ten million users: far beyond any real list, and
# small enough that the offset it implies fits every database integer.
MAX_PAGE = 100_000


class RegistrationIn(Schema):
    """A self-registration."""

    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    password = fields.String(required=True, load_only=True, metadata={
        "description": f"{MIN_LENGTH} to {MAX_LENGTH} characters, not the email address",
        "minLength": MIN_LENGTH, "maxLength": MAX_LENGTH})
    intended_role = fields.String(required=True, validate=validate.OneOf(SELF_SERVICE_ROLES),
                                  metadata={"description": "the role the person signs up for"})

    @validates_schema(skip_on_field_errors=False)
    def _password_rules(self, data, **_kwargs):
        problems = password_problems(data.get("password", ""), data.get("email"))
        if "password" in data and problems:
            raise ValidationError(problems, field_name="password")

    @post_load
    def _normalise(self, data, **_kwargs):
        data["email"] = data["email"].strip().lower()
        return data


class UserOut(Schema):
    """A user account (never its password)."""

    id = fields.String()
    email = fields.String()
    name = fields.String()
    intended_role = fields.String(allow_none=True)
    created_at = fields.DateTime()


class UserPageQuery(Schema):
    """Paging (and an optional exact email filter) for the user list."""

    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, 100))
    email = fields.String(validate=validate.Length(1, 254))


class UserPageOut(Schema):
    """One page of users."""

    items = fields.List(fields.Nested(UserOut))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class MembershipIn(Schema):
    """A role to grant in an organisation (the role must suit the organisation type)."""

    org_type = fields.String(required=True, validate=validate.OneOf(ORG_TYPES))
    org_id = fields.String(required=True, validate=ORG_ID)
    role = fields.String(required=True, validate=validate.OneOf(list(ROLE_ORG_TYPES)))


class MembershipOut(Schema):
    """A membership; revoked ones keep ``revoked_at`` and ``revoked_by``."""

    id = fields.String()
    user_id = fields.String()
    org_type = fields.String()
    org_id = fields.String()
    role = fields.String()
    granted_by = fields.String()
    granted_at = fields.DateTime()
    revoked_by = fields.String(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    active = fields.Boolean()


class MeOut(UserOut):
    """The signed-in user, the organisation the token acts for, and all active memberships."""

    role = fields.String()
    org = fields.String(allow_none=True)
    org_type = fields.String(allow_none=True)
    memberships = fields.List(fields.Nested(MembershipOut))


class ClientIn(Schema):
    """A machine client to register."""

    name = fields.String(required=True, validate=validate.Length(1, 200))
    role = fields.String(required=True, validate=validate.OneOf(CLIENT_ROLES))
    org_type = fields.String(validate=validate.OneOf(ORG_TYPES))
    org_id = fields.String(validate=ORG_ID)

    @validates_schema
    def _org_pair(self, data, **_kwargs):
        if ("org_type" in data) != ("org_id" in data):
            raise ValidationError("give both org_type and org_id, or neither", field_name="org_id")


class ClientOut(Schema):
    """A machine client (never its secret)."""

    client_id = fields.String(attribute="id")
    name = fields.String()
    role = fields.String()
    org_type = fields.String(allow_none=True)
    org_id = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class ClientCreatedOut(ClientOut):
    """A new machine client with its secret, shown this once only."""

    client_secret = fields.String()


class OAuthParameters(Schema):
    """OAuth requests: unknown parameters are ignored (RFC 6749 section 3.1)."""

    class Meta:
        unknown = EXCLUDE


class PasswordGrantIn(OAuthParameters):
    """The password grant: sign in with an email and password."""

    grant_type = fields.String(required=True, validate=validate.OneOf(["password"]))
    username = fields.String(required=True, validate=validate.Length(1, 254),
                             metadata={"description": "the email address"})
    password = fields.String(required=True, validate=validate.Length(1, MAX_LENGTH))
    org_id = fields.String(validate=ORG_ID, metadata={
        "description": "the organisation to act for (default: the only active membership)"})


class RefreshGrantIn(OAuthParameters):
    """The refresh_token grant: a new token pair for a single-use refresh token."""

    grant_type = fields.String(required=True, validate=validate.OneOf(["refresh_token"]))
    refresh_token = fields.String(required=True, validate=validate.Length(1, 200))


class ClientCredentialsIn(OAuthParameters):
    """The client_credentials grant of a machine client."""

    grant_type = fields.String(required=True, validate=validate.OneOf(["client_credentials"]))
    client_id = fields.String(required=True, validate=validate.Length(1, 64), metadata={
        "description": "or send client_id and client_secret with HTTP Basic instead"})
    client_secret = fields.String(required=True, validate=validate.Length(1, 200))


class TokenOut(Schema):
    """A token response (RFC 6749 section 5.1)."""

    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    refresh_token = fields.String(metadata={OPTIONAL: True,
                                            "description": "not for client_credentials"})


class RevokeIn(OAuthParameters):
    """A token to revoke (RFC 7009); only refresh tokens can be revoked."""

    token = fields.String(required=True, validate=validate.Length(1, 200))
    token_type_hint = fields.String(metadata={"description": "ignored: only refresh tokens "
                                                            "can be revoked"})


class LogoutIn(OAuthParameters):
    """The refresh token of the sign-in to end."""

    refresh_token = fields.String(required=True, validate=validate.Length(1, 200))


class JwkOut(Schema):
    """One public key (RFC 8037 OKP)."""

    kty = fields.String()
    crv = fields.String()
    x = fields.String()
    kid = fields.String()
    alg = fields.String()
    use = fields.String()


class JwksOut(Schema):
    """The keys that verify access tokens (RFC 7517)."""

    keys = fields.List(fields.Nested(JwkOut))
