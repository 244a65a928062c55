"""Evidence, assessments, ToT attendance, progress reports, recommendations, decisions."""

from __future__ import annotations

import datetime as dt

from marshmallow import Schema, ValidationError, fields, validate, validates

from services.certification.models.evidence import EVIDENCE_KINDS
from shared import clock
from shared.fields import text
from shared.pages import PageArgs, page_of

REFERENCE = {"pattern": r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"}


class TotIn(Schema):
    """A Training of Trainers the trainer attended (recorded by a platform admin)."""

    reference = fields.String(required=True, validate=[
        validate.Length(1, 40), validate.Regexp(REFERENCE["pattern"])],
        metadata={**REFERENCE, "description": "the ToT's reference (batch, letter number); "
                                              "recorded once per trainer and module"})
    attended_on = fields.Date(required=True, metadata={"description": "not in the future"})
    note = text(0, 500, load_default=None, allow_none=True)

    @validates("attended_on")
    def _not_future(self, value: dt.date, **_kwargs) -> None:
        if value > clock.today():
            raise ValidationError("cannot be in the future")


class EvidenceOut(Schema):
    """One fact on record: a ToT, a session delivered, a visit made."""

    id = fields.String()
    trainer_id = fields.String()
    module_code = fields.String()
    kind = fields.String(validate=validate.OneOf(EVIDENCE_KINDS))
    source = fields.String()
    occurred_on = fields.Date()
    details = fields.Dict()
    recorded_by = fields.String()
    created_at = fields.AwareDateTime()


EvidencePage = page_of(EvidenceOut, "EvidencePage", "One page of evidence, newest first.")


class EvidenceArgs(PageArgs):
    """Filter by kind."""

    kind = fields.String(validate=validate.OneOf(EVIDENCE_KINDS))


class MissingOut(Schema):
    """A rule the evidence does not meet."""

    code = fields.String(metadata={"description": "stable: MISSING_TOT, TOO_FEW_SESSIONS_LEAD, "
                                                  "TOO_FEW_SESSIONS_CO, TOO_FEW_VISITS, "
                                                  "REPORT_NOT_ACCEPTED, NO_RECOMMENDATION, "
                                                  "RECOMMENDATION_DECLINED"})
    detail = fields.String()
    have = fields.Raw(allow_none=True, metadata={"description": "a count, a flag or a verdict"})
    need = fields.Raw(metadata={"description": "a count, a flag or a verdict"})


class AssessmentOut(Schema):
    """The rule engine's word on a trainer's module today, beside the status as it stands."""

    trainer_id = fields.String()
    module_code = fields.String()
    status = fields.String(metadata={"description": "the lifecycle status"})
    status_reason = fields.String(allow_none=True)
    certified_on = fields.Date(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    supported = fields.String(metadata={"description": "the furthest status the evidence "
                                                      "supports under the rules in force"})
    missing = fields.List(fields.Nested(MissingOut))
    rules_version = fields.String()
    evaluated_on = fields.Date()
    expires_on = fields.Date(allow_none=True)
    expired = fields.Boolean()
    recertification_due = fields.Boolean()


class ReportIn(Schema):
    """A progress report for one module."""

    title = text(3, 200, required=True)
    body = text(10, 20000, required=True)


class ReviewIn(Schema):
    """An expert trainer's comments on a report."""

    comments = text(3, 2000, required=True)


class ReportOut(Schema):
    """A progress report and its review."""

    id = fields.String()
    trainer_id = fields.String()
    module_code = fields.String()
    title = fields.String()
    body = fields.String()
    status = fields.String(validate=validate.OneOf(("submitted", "accepted", "rejected")))
    review_comments = fields.String(allow_none=True)
    reviewed_by = fields.String(allow_none=True)
    submitted_at = fields.AwareDateTime()
    reviewed_at = fields.AwareDateTime(allow_none=True)


class RecommendationIn(Schema):
    """An expert trainer's verdict on a mentee, with the reasons."""

    decision = fields.String(required=True, validate=validate.OneOf(("recommend", "decline")))
    comments = text(3, 2000, required=True)


class RecommendationOut(Schema):
    """A recommendation or its refusal."""

    id = fields.String()
    trainer_id = fields.String()
    module_code = fields.String()
    expert_id = fields.String()
    decision = fields.String()
    comments = fields.String()
    created_at = fields.AwareDateTime()


class DecisionIn(Schema):
    """Why (required for suspension, reinstatement, revocation and withdrawal)."""

    reason = text(3, 500, required=True)


class CertifyIn(Schema):
    """An optional note with a certification or recertification."""

    reason = text(3, 500, load_default=None, allow_none=True)
