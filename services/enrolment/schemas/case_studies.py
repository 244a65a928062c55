"""Schemas of case studies: the SME's consent (who, when, scope) and the published study."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.enrolment.schemas.kpis import PlainDecimal
from shared.fields import StrictBoolean, text

KPI_CODE = r"^[a-z][a-z0-9_]{0,39}$"


class ConsentIn(Schema):
    """An SME's consent to publish a case study of its KPI results."""

    kpis = fields.List(fields.String(validate=validate.Regexp(KPI_CODE), metadata={
        "pattern": KPI_CODE}), required=True, validate=validate.Length(1, 20), metadata={
        "description": "the KPIs the study may show (codes GET /kpis lists)",
        "example": ["productivity", "defect_rate"]})
    name_published = StrictBoolean(required=True, metadata={
        "description": "may the study name the enterprise (otherwise only sector, province, "
                       "size class)"})
    statement = text(10, 1000, required=True, metadata={
        "description": "what the SME agrees to, in its words",
        "example": "We agree that our productivity results are published as a SCORE case study."})


class ConsentOut(Schema):
    """A consent as recorded (withdrawn_at set once withdrawn)."""

    id = fields.String()
    sme_id = fields.String()
    granted_by = fields.String(metadata={"description": "the SME user who consented"})
    granted_at = fields.AwareDateTime()
    kpis = fields.List(fields.String())
    name_published = fields.Boolean()
    statement = fields.String()
    withdrawn_at = fields.AwareDateTime(allow_none=True)
    withdrawn_by = fields.String(allow_none=True)
    case_study_id = fields.String(allow_none=True, metadata={
        "description": "the study published under it (then it cannot be withdrawn)"})


class ConsentsOut(Schema):
    """An SME's consents, newest first."""

    items = fields.List(fields.Nested(ConsentOut))


class CaseStudyIn(Schema):
    """A case study to publish under a consent."""

    consent_id = fields.String(required=True, validate=validate.Length(1, 36), metadata={
        "description": "a consent of this SME, not withdrawn, not used by another study; at "
                       "least one KPI in its scope has a baseline and a follow-up"})
    title = text(5, 200, required=True, metadata={"example": "Less rework at a batik workshop"})
    story = text(20, 4000, required=True, metadata={
        "description": "what changed and how, in the SME's words"})


class CaseStudyKpiOut(Schema):
    """One KPI of a study: baseline against the latest follow-up, frozen at publication."""

    kpi_code = fields.String()
    unit = fields.String()
    direction = fields.String()
    baseline = PlainDecimal()
    baseline_period_end = fields.Date()
    latest = PlainDecimal()
    latest_period_end = fields.Date()
    change_percent = PlainDecimal(allow_none=True)
    improved = fields.Boolean(allow_none=True)


class CaseStudyOut(Schema):
    """A published case study."""

    id = fields.String()
    sme_id = fields.String()
    sme_name = fields.String(allow_none=True, metadata={
        "description": "null when the consent does not let the study name the enterprise"})
    title = fields.String()
    story = fields.String()
    kpis = fields.List(fields.Nested(CaseStudyKpiOut))
    consent_id = fields.String()
    published_by = fields.String()
    published_at = fields.AwareDateTime()


class CaseStudiesOut(Schema):
    """An SME's published case studies, newest first."""

    items = fields.List(fields.Nested(CaseStudyOut))
