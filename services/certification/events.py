"""Events certification publishes (topic ``score.certification``; subject = entity id).

Catalog learns which trainers exist and for which modules they are certified
from ``trainer.registered`` and ``module_status.changed`` (a session's lead
trainer must be certified for its module); the ILO's audit log follows every
step to a credential and its revocation. Credentials themselves are public: the
events carry their ids and status list slots, never a personal register.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.certification import lifecycle
from services.certification.models import Credential, ModuleStatus, Recommendation, Trainer
from services.certification.models.credentials import CREDENTIAL_KINDS
from shared.events import EventCatalog, EventType

MODULES = ("M1", "M2", "M3", "M4", "M5")


class TrainerPayload(Schema):
    """A trainer as of the event."""

    trainer_id = fields.String(required=True, validate=validate.Length(1, 64),
                               metadata={"description": "the trainer's user id"})
    full_name = fields.String(required=True, validate=validate.Length(1, 120))
    gender = fields.String(required=True, validate=validate.OneOf(("female", "male")))
    province_code = fields.String(required=True, validate=validate.Length(1, 2))
    organisation = fields.String(required=True)
    provider_id = fields.String(required=True, allow_none=True, validate=validate.Length(1, 36))
    modules_of_interest = fields.List(fields.String(validate=validate.OneOf(MODULES)),
                                      required=True)
    expert_modules = fields.List(fields.String(validate=validate.OneOf(MODULES)), required=True)
    changed_by = fields.String(required=True)


class TrainerRegistered(TrainerPayload):
    """Payload of ``trainer.registered`` (identity makes the registrant the trainer's member).

    ``registered_by`` equals ``trainer_id`` (a trainer's id is its user's id); it is
    named as in every ``*.registered`` event so that identity's one grant reads it.
    """

    registered_by = fields.String(required=True)


class ModuleStatusPayload(Schema):
    """A trainer's status in one module after a change."""

    trainer_id = fields.String(required=True, validate=validate.Length(1, 64))
    module_code = fields.String(required=True, validate=[validate.OneOf(MODULES),
                                                         validate.Length(1, 4)])
    status = fields.String(required=True,
                           validate=[validate.OneOf(lifecycle.MODULE_STATUS.states),
                                     validate.Length(1, 30)])
    previous_status = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True)
    certified_on = fields.Date(required=True, allow_none=True)
    valid_until = fields.Date(required=True, allow_none=True)
    rules_version = fields.String(required=True, allow_none=True)
    changed_by = fields.String(required=True)


class RecommendationPayload(Schema):
    """An expert trainer's recommendation or refusal."""

    recommendation_id = fields.String(required=True)
    trainer_id = fields.String(required=True)
    module_code = fields.String(required=True, validate=validate.OneOf(MODULES))
    expert_id = fields.String(required=True)
    decision = fields.String(required=True, validate=validate.OneOf(("recommend", "decline")))
    comments = fields.String(required=True)


class CredentialPayload(Schema):
    """A credential as issued or revoked."""

    credential_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CREDENTIAL_KINDS))
    trainer_id = fields.String(required=True, allow_none=True)
    enrolment_id = fields.String(required=True, allow_none=True)
    participant_id = fields.String(required=True, allow_none=True)
    module_code = fields.String(required=True, validate=validate.OneOf(MODULES))
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True, allow_none=True)
    status_list_id = fields.String(required=True)
    status_index = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    revoked_reason = fields.String(required=True, allow_none=True)
    changed_by = fields.String(required=True)


class StatusListPayload(Schema):
    """A status list as published: where to fetch it, and how many slots are used."""

    status_list_id = fields.String(required=True)
    purpose = fields.String(required=True)
    url = fields.String(required=True)
    used = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    revoked = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


def trainer_payload(trainer: Trainer, actor: str) -> dict:
    """Payload of ``trainer.registered`` / ``trainer.updated``."""
    return {"trainer_id": trainer.id, "full_name": trainer.full_name, "gender": trainer.gender,
            "province_code": trainer.province_code, "organisation": trainer.organisation,
            "provider_id": trainer.provider_id,
            "modules_of_interest": list(trainer.modules_of_interest),
            "expert_modules": list(trainer.expert_modules), "changed_by": actor}


def module_status_payload(status: ModuleStatus, previous: str | None, actor: str) -> dict:
    """Payload of ``module_status.changed``."""
    return {"trainer_id": status.trainer_id, "module_code": status.module_code,
            "status": status.status, "previous_status": previous,
            "reason": status.status_reason, "certified_on": status.certified_on,
            "valid_until": status.valid_until, "rules_version": status.rules_version,
            "changed_by": actor}


def recommendation_payload(recommendation: Recommendation) -> dict:
    """Payload of ``recommendation.given``."""
    r = recommendation
    return {"recommendation_id": r.id, "trainer_id": r.trainer_id,
            "module_code": r.module_code, "expert_id": r.expert_id, "decision": r.decision,
            "comments": r.comments}


def credential_payload(credential: Credential, actor: str) -> dict:
    """Payload of ``credential.issued`` / ``credential.revoked``."""
    c = credential
    return {"credential_id": c.id, "kind": c.kind, "trainer_id": c.trainer_id,
            "enrolment_id": c.enrolment_id, "participant_id": c.participant_id,
            "module_code": c.module_code, "valid_from": c.valid_from,
            "valid_until": c.valid_until, "status_list_id": c.status_list_id,
            "status_index": c.status_index, "revoked_reason": c.revoked_reason,
            "changed_by": actor}


def _type(name: str, schema: type[Schema], description: str) -> EventType:
    return EventType(f"score.certification.{name}.v1", schema, description)


TRAINER_REGISTERED = _type("trainer.registered", TrainerRegistered, "A trainer registered.")
TRAINER_UPDATED = _type("trainer.updated", TrainerPayload, "A trainer's profile changed.")
MODULE_STATUS_CHANGED = _type("module_status.changed", ModuleStatusPayload,
                              "A trainer moved in a module's certification path.")
RECOMMENDATION_GIVEN = _type("recommendation.given", RecommendationPayload,
                             "An expert trainer recommended a trainer, or declined to.")
CREDENTIAL_ISSUED = _type("credential.issued", CredentialPayload, "A credential was issued.")
CREDENTIAL_REVOKED = _type("credential.revoked", CredentialPayload,
                           "A credential was revoked: its status list bit is set.")
STATUS_LIST_PUBLISHED = _type("status_list.published", StatusListPayload,
                              "A status list changed and was published again.")

EVENTS = EventCatalog([
    TRAINER_REGISTERED, TRAINER_UPDATED, MODULE_STATUS_CHANGED, RECOMMENDATION_GIVEN,
    CREDENTIAL_ISSUED, CREDENTIAL_REVOKED, STATUS_LIST_PUBLISHED,
])
