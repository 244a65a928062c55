"""SME profile schemas."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.fields import NPWP_FORMAT, PHONE, Npwp, Trimmed, bounded_int, patch_of, text

KBLI_VERSIONS = ("2020", "2025")
MAX_EMPLOYEES = 1_000_000
PROVINCE_CODE = {"pattern": r"^([0-9]{2}|[Ii][Dd]-[A-Za-z]{2})$",
                 "description": "a province by BPS code (32) or ISO 3166-2:ID code (ID-JB)"}


class SmeIn(Schema):
    """An SME's registration (its registering user becomes its ``sme_user``)."""

    legal_name = text(2, 200, required=True)
    nib = Trimmed(required=True, validate=validate.Regexp(r"^[0-9]{13}$", error="13 digits"),
                  metadata={"description": "Nomor Induk Berusaha (OSS): 13 digits",
                            "example": "1234567890123"})
    npwp = Npwp(load_default=None, allow_none=True, metadata=NPWP_FORMAT)
    kbli_code = Trimmed(required=True, validate=validate.Regexp(r"^[0-9]{5}$", error="5 digits"),
                        metadata={"description": "KBLI business field (5 digits)",
                                  "example": "13111"})
    kbli_version = fields.String(required=True, validate=validate.OneOf(KBLI_VERSIONS))
    province_code = Trimmed(required=True, validate=validate.Length(2, 5),
                            metadata=PROVINCE_CODE)
    city = text(2, 100, required=True)
    address = text(5, 500, required=True)
    employees_women = bounded_int(0, MAX_EMPLOYEES, required=True)
    employees_men = bounded_int(0, MAX_EMPLOYEES, required=True)
    contact_name = text(2, 120, required=True)
    contact_email = fields.Email(required=True, validate=validate.Length(max=254))
    contact_phone = Trimmed(required=True, validate=PHONE)


SmePatch = patch_of(SmeIn, "SmePatch", "Changes to an SME's profile (any subset).",
                    exclude=("nib",))


class SmeOut(Schema):
    """An SME as its users, its providers' staff and auditors see it."""

    id = fields.String()
    legal_name = fields.String()
    nib = fields.String()
    npwp = fields.String(allow_none=True)
    kbli_code = fields.String()
    kbli_version = fields.String()
    province_code = fields.String(metadata={"description": "BPS code"})
    city = fields.String()
    address = fields.String()
    employees_total = fields.Integer()
    employees_women = fields.Integer()
    employees_men = fields.Integer()
    size_class = fields.String(metadata={"description": "from the configured size bands"})
    contact_name = fields.String()
    contact_email = fields.String()
    contact_phone = fields.String()
    registered_by = fields.String()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
