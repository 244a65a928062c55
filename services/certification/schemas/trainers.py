"""Trainers: registration, profile, expert modules, module statuses, listing."""

from __future__ import annotations

from marshmallow import Schema, fields, post_load, validate

from services.certification import lifecycle
from services.certification.rules import MODULE_CODES
from shared.fields import patch_of, text
from shared.indonesia import PROVINCES
from shared.pages import PageArgs, page_of

PROVINCE_CODES = tuple(bps for bps, _iso, _name in PROVINCES)
MODULE = validate.OneOf(MODULE_CODES)


def modules(lo: int, **kw) -> fields.List:
    """A list of SCORE module codes (M1–M5); repeats count once."""
    return fields.List(fields.String(validate=MODULE), validate=validate.Length(lo, 5),
                       **kw)


def _once(codes: list[str]) -> list[str]:
    return sorted(set(codes))


class TrainerIn(Schema):
    """A trainer's registration (the registering ``trainer`` user becomes the trainer)."""

    full_name = text(2, 120, required=True)
    gender = fields.String(required=True, validate=validate.OneOf(("female", "male")))
    province_code = fields.String(required=True, validate=validate.OneOf(PROVINCE_CODES),
                                  metadata={"description": "BPS province code"})
    organisation = text(2, 200, required=True)
    provider_id = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(1, 36), metadata={
                                    "description": "the provider the trainer delivers for; "
                                                   "its staff see the trainer"})
    modules_of_interest = modules(1, required=True, metadata={
        "description": "each starts as candidate; repeats count once"})

    @post_load
    def _dedupe(self, data, **_kwargs):
        if "modules_of_interest" in data:
            data["modules_of_interest"] = _once(data["modules_of_interest"])
        return data


_TrainerPatchBase = patch_of(TrainerIn, "TrainerPatchBase", "Changes to a trainer's profile.")


class TrainerPatch(_TrainerPatchBase):  # type: ignore[misc, valid-type]
    """Changes to a trainer's profile; a new module of interest starts as candidate.

    A module that already has a status cannot be dropped (409).
    """

    @post_load
    def _dedupe(self, data, **_kwargs):
        if "modules_of_interest" in data:
            data["modules_of_interest"] = _once(data["modules_of_interest"])
        return data


class ExpertModulesIn(Schema):
    """The modules in which the trainer is an expert trainer (replaces the list)."""

    modules = modules(0, required=True)

    @post_load
    def _dedupe(self, data, **_kwargs):
        data["modules"] = _once(data["modules"])
        return data


class ModuleStatusOut(Schema):
    """Where the trainer stands in one module."""

    module_code = fields.String()
    status = fields.String(validate=validate.OneOf(lifecycle.MODULE_STATUS.states))
    status_reason = fields.String(allow_none=True)
    changed_by = fields.String()
    changed_at = fields.AwareDateTime()
    certified_on = fields.Date(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    rules_version = fields.String(allow_none=True)
    suspended = fields.Boolean()


class TrainerOut(Schema):
    """A trainer and their status in each module."""

    id = fields.String(metadata={"description": "the trainer's user id"})
    full_name = fields.String()
    gender = fields.String()
    province_code = fields.String()
    organisation = fields.String()
    provider_id = fields.String(allow_none=True)
    modules_of_interest = fields.List(fields.String())
    expert_modules = fields.List(fields.String())
    modules = fields.List(fields.Nested(ModuleStatusOut))
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


TrainerPage = page_of(TrainerOut, "TrainerPage", "One page of trainers, newest first.")


class TrainerListArgs(PageArgs):
    """Filters; the list holds only trainers the caller may read."""

    module = fields.String(validate=MODULE)
    status = fields.String(validate=validate.OneOf(lifecycle.MODULE_STATUS.states),
                           metadata={"description": "in any module, or in ``module``"})
    province = fields.String(validate=validate.OneOf(PROVINCE_CODES))
    provider_id = fields.String(validate=validate.Length(1, 36))
