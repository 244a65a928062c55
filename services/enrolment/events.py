"""Events the enrolment service publishes (topic ``score.enrolment``; subject = entity id).

Every payload carries what a consumer needs without calling back: catalog keeps
free seats from the enrolment events (``hold_id`` names the seat hold),
certification issues participation certificates from ``enrolment.completed``
and counts trainers' visits from ``visit.recorded``, sponsorship commits or
releases reservations, and the ILO's audit log computes the Phase III
indicators (team mix, money, province, sector, size class) from all of them.
Payload builders live here, beside the schemas, so each type is built one way.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.enrolment import lifecycle
from services.enrolment.models import (
    CaseStudy,
    CaseStudyConsent,
    Enrolment,
    KpiReport,
    OfferedSession,
    Payment,
    Sme,
    Statement,
    Visit,
    WaitlistEntry,
)
from shared.events import EventCatalog, EventType

_ID = validate.Length(1, 36)


def _money(**kwargs) -> fields.Integer:
    """Whole rupiah, never negative."""
    return fields.Integer(strict=True, validate=validate.Range(min=0), **kwargs)


class SmePayload(Schema):
    """An SME as of the event (``sme.registered`` / ``sme.updated``)."""

    sme_id = fields.String(required=True)
    legal_name = fields.String(required=True)
    nib = fields.String(required=True)
    npwp = fields.String(required=True, allow_none=True)
    kbli_code = fields.String(required=True)
    kbli_version = fields.String(required=True)
    province_code = fields.String(required=True, metadata={"description": "BPS code"})
    city = fields.String(required=True)
    employees_total = fields.Integer(required=True, strict=True)
    employees_women = fields.Integer(required=True, strict=True)
    employees_men = fields.Integer(required=True, strict=True)
    size_class = fields.String(required=True)
    changed_by = fields.String(required=True)


class SmeRegistered(SmePayload):
    """Payload of ``sme.registered`` (identity makes the registrant an ``sme_user`` of it)."""

    registered_by = fields.String(required=True)


class EnrolmentPayload(Schema):
    """An enrolment as of the event (every ``enrolment.*`` type)."""

    enrolment_id = fields.String(required=True, validate=_ID)
    hold_id = fields.String(required=True, validate=validate.Length(1, 80), metadata={
        "description": "the seat hold (the enrolment id; '<id>/<n>' when seats were re-taken)"})
    session_id = fields.String(required=True, validate=_ID)
    sme_id = fields.String(required=True)
    provider_id = fields.String(required=True)
    module_code = fields.String(required=True)
    ilo_supervised = fields.Boolean(required=True)
    session_province_code = fields.String(required=True)
    sme_province_code = fields.String(required=True)
    sme_kbli_code = fields.String(required=True)
    sme_size_class = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(lifecycle.ENROLMENT.states))
    participants = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    managers = fields.Integer(required=True, strict=True)
    workers = fields.Integer(required=True, strict=True)
    women = fields.Integer(required=True, strict=True)
    men = fields.Integer(required=True, strict=True)
    price_per_participant = _money(required=True)
    amount_due = _money(required=True)
    sme_share = _money(required=True)
    sponsor_share = _money(required=True)
    reservation_id = fields.String(required=True, allow_none=True,
                                   validate=validate.Length(1, 64), metadata={
        "description": "sponsorship's reservation of sponsor_share for hold_id "
                       "(null when no sponsor pays)"})
    expires_at = fields.AwareDateTime(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True)
    changed_by = fields.String(required=True)


class CompletedParticipant(Schema):
    """A participant's outcome when the session's attendance closes."""

    participant_id = fields.String(required=True)
    full_name = fields.String(required=True)
    gender = fields.String(required=True, validate=validate.OneOf(("female", "male")))
    role = fields.String(required=True, validate=validate.OneOf(("manager", "worker")))
    days_present = fields.Integer(required=True, strict=True)
    completed = fields.Boolean(required=True)


class EnrolmentCompleted(EnrolmentPayload):
    """Payload of ``enrolment.completed``: who completed (participation certificates)."""

    classroom_days = fields.Integer(required=True, strict=True)
    outcomes = fields.List(fields.Nested(CompletedParticipant), required=True)
    # What a participation certificate names: the training, its dates and its provider.
    title_en = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    provider_name = fields.String(required=True, allow_none=True, metadata={
        "description": "null while enrolment has not yet heard of the provider"})


class WaitlistPayload(Schema):
    """A waitlist entry as of the event (every ``waitlist.*`` type)."""

    entry_id = fields.String(required=True)
    session_id = fields.String(required=True)
    sme_id = fields.String(required=True)
    provider_id = fields.String(required=True)
    participants = fields.Integer(required=True, strict=True)
    status = fields.String(required=True, validate=validate.OneOf(lifecycle.WAITLIST.states))
    enrolment_id = fields.String(required=True, allow_none=True)
    changed_by = fields.String(required=True)


class PaymentPayload(Schema):
    """A payment as of the event (``payment.succeeded`` / ``failed`` / ``refunded``)."""

    payment_id = fields.String(required=True)
    enrolment_id = fields.String(required=True)
    session_id = fields.String(required=True)
    sme_id = fields.String(required=True)
    provider_id = fields.String(required=True)
    method = fields.String(required=True, validate=validate.OneOf(("card", "bank_transfer")))
    gateway = fields.String(required=True)
    amount = _money(required=True)
    currency = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(lifecycle.PAYMENT.states))
    refund_amount = _money(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True)
    changed_by = fields.String(required=True)


class AttendancePayload(Schema):
    """One classroom day's attendance of one enrolled team."""

    enrolment_id = fields.String(required=True)
    session_id = fields.String(required=True)
    sme_id = fields.String(required=True)
    provider_id = fields.String(required=True)
    day = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    present = fields.List(fields.String(), required=True, metadata={
        "description": "participant ids present"})
    absent = fields.List(fields.String(), required=True)
    recorded_by = fields.String(required=True)


class VisitPayload(Schema):
    """A consultancy visit as recorded."""

    visit_id = fields.String(required=True)
    enrolment_id = fields.String(required=True)
    session_id = fields.String(required=True)
    sme_id = fields.String(required=True)
    provider_id = fields.String(required=True)
    module_code = fields.String(required=True)
    trainer_id = fields.String(required=True)
    visited_on = fields.Date(required=True)
    duration_minutes = fields.Integer(required=True, strict=True)
    topics = fields.List(fields.String(), required=True)
    members_present = fields.Integer(required=True, strict=True)
    actions_agreed = fields.List(fields.String(), required=True)
    visits_recorded = fields.Integer(required=True, strict=True)
    visits_required = fields.Integer(required=True, strict=True)
    recorded_by = fields.String(required=True)


class KpiPayload(Schema):
    """An enterprise KPI value as reported (append-only; corrections supersede)."""

    report_id = fields.String(required=True)
    sme_id = fields.String(required=True)
    kpi_code = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("baseline", "follow_up")))
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    method = fields.String(required=True)
    value = fields.Decimal(required=True, as_string=True)
    version = fields.Integer(required=True, strict=True)
    supersedes_id = fields.String(required=True, allow_none=True)
    sme_province_code = fields.String(required=True)
    sme_kbli_code = fields.String(required=True)
    sme_kbli_version = fields.String(required=True)
    sme_size_class = fields.String(required=True)
    reported_by = fields.String(required=True)
    # Added within v1 (optional for compatibility; enrolment always sends it): the ILO's
    # national productivity view tells improvement from decline without enrolment's config.
    direction = fields.String(validate=validate.OneOf(("higher_is_better", "lower_is_better")),
                              metadata={"description": "which way the KPI is better"})


class CaseStudyKpi(Schema):
    """One KPI of a published case study: baseline against the latest follow-up."""

    kpi_code = fields.String(required=True)
    unit = fields.String(required=True)
    direction = fields.String(required=True,
                              validate=validate.OneOf(("higher_is_better", "lower_is_better")))
    baseline = fields.Decimal(required=True, as_string=True)
    baseline_period_end = fields.Date(required=True)
    latest = fields.Decimal(required=True, as_string=True)
    latest_period_end = fields.Date(required=True)
    change_percent = fields.Decimal(required=True, as_string=True, allow_none=True)
    improved = fields.Boolean(required=True, allow_none=True)


class CaseStudyPayload(Schema):
    """Payload of ``case_study.published``: the study, its figures and the consent it rests on."""

    case_study_id = fields.String(required=True, validate=_ID)
    sme_id = fields.String(required=True, validate=_ID)
    sme_name = fields.String(required=True, allow_none=True, metadata={
        "description": "null when the consent does not let the study name the enterprise"})
    sme_province_code = fields.String(required=True)
    sme_kbli_code = fields.String(required=True)
    sme_kbli_version = fields.String(required=True)
    sme_size_class = fields.String(required=True)
    title = fields.String(required=True)
    story = fields.String(required=True)
    kpis = fields.List(fields.Nested(CaseStudyKpi), required=True)
    consent_id = fields.String(required=True, validate=_ID)
    consent_granted_by = fields.String(required=True)
    consent_granted_at = fields.AwareDateTime(required=True)
    published_by = fields.String(required=True)


class StatementPayload(Schema):
    """A provider's monthly statement as issued (``statement.issued`` / ``statement.paid``).

    Figures are whole rupiah (services/enrolment/ledger.py). ``net_payable`` is what
    the platform owes the provider; negative when the provider owes the platform.
    """

    statement_id = fields.String(required=True, validate=_ID)
    provider_id = fields.String(required=True)
    month = fields.String(required=True, metadata={"description": "YYYY-MM, Jakarta"})
    status = fields.String(required=True,
                           validate=validate.OneOf(lifecycle.STATEMENT.states))
    currency = fields.String(required=True)
    fee_percent = fields.Decimal(required=True, as_string=True)
    card_collected = _money(required=True)
    card_collected_direct = _money(required=True)
    card_refunded = _money(required=True)
    bank_received = _money(required=True)
    bank_refunded = _money(required=True)
    sponsor_committed = _money(required=True)
    sponsor_reversed = _money(required=True)
    fee = fields.Integer(required=True, strict=True)
    fee_withheld = _money(required=True)
    net_payable = fields.Integer(required=True, strict=True)
    paid_on = fields.Date(required=True, allow_none=True)
    bank_reference = fields.String(required=True, allow_none=True)
    changed_by = fields.String(required=True)


def sme_payload(sme: Sme, actor: str) -> dict:
    """Payload of ``sme.updated`` (``sme.registered`` adds ``registered_by``)."""
    return {
        "sme_id": sme.id, "legal_name": sme.legal_name, "nib": sme.nib, "npwp": sme.npwp,
        "kbli_code": sme.kbli_code, "kbli_version": sme.kbli_version,
        "province_code": sme.province_code, "city": sme.city,
        "employees_total": sme.employees_total, "employees_women": sme.employees_women,
        "employees_men": sme.employees_men, "size_class": sme.size_class, "changed_by": actor,
    }


def enrolment_payload(enrolment: Enrolment, offered: OfferedSession, sme: Sme,
                      actor: str) -> dict:
    """Payload of every ``enrolment.*`` event but ``completed`` (which adds outcomes)."""
    return {
        "enrolment_id": enrolment.id, "hold_id": enrolment.hold_id,
        "session_id": enrolment.session_id, "sme_id": enrolment.sme_id,
        "provider_id": enrolment.provider_id, "module_code": enrolment.module_code,
        "ilo_supervised": offered.ilo_supervised,
        "session_province_code": offered.province_code,
        "sme_province_code": sme.province_code, "sme_kbli_code": sme.kbli_code,
        "sme_size_class": sme.size_class, "status": enrolment.status,
        "participants": enrolment.participants_count, "managers": enrolment.managers,
        "workers": enrolment.workers, "women": enrolment.women, "men": enrolment.men,
        "price_per_participant": enrolment.price_per_participant,
        "amount_due": enrolment.amount_due, "sme_share": enrolment.sme_share,
        "sponsor_share": enrolment.sponsor_share, "reservation_id": enrolment.reservation_id,
        "expires_at": enrolment.expires_at,
        "reason": enrolment.status_reason, "changed_by": actor,
    }


def waitlist_payload(entry: WaitlistEntry, actor: str) -> dict:
    """Payload of every ``waitlist.*`` event."""
    return {
        "entry_id": str(entry.id), "session_id": entry.session_id, "sme_id": entry.sme_id,
        "provider_id": entry.provider_id, "participants": entry.participants_count,
        "status": entry.status, "enrolment_id": entry.enrolment_id, "changed_by": actor,
    }


def payment_payload(payment: Payment, enrolment: Enrolment, actor: str,
                    reason: str | None = None) -> dict:
    """Payload of ``payment.succeeded`` / ``failed`` / ``refunded``."""
    return {
        "payment_id": payment.id, "enrolment_id": enrolment.id,
        "session_id": enrolment.session_id, "sme_id": enrolment.sme_id,
        "provider_id": payment.provider_id, "method": payment.method,
        "gateway": payment.gateway, "amount": payment.amount, "currency": payment.currency,
        "status": payment.status, "refund_amount": payment.refund_amount, "reason": reason,
        "changed_by": actor,
    }


def completed_payload(enrolment: Enrolment, offered: OfferedSession, sme: Sme,
                      outcomes: list[dict], actor: str, provider_name: str | None) -> dict:
    """Payload of ``enrolment.completed``: the enrolment and each participant's outcome."""
    return {**enrolment_payload(enrolment, offered, sme, actor),
            "classroom_days": offered.classroom_days, "outcomes": outcomes,
            "title_en": offered.title_en, "start_date": offered.start_date,
            "end_date": offered.end_date, "provider_name": provider_name}


def attendance_payload(enrolment: Enrolment, day: int, present: list[str], absent: list[str],
                       actor: str) -> dict:
    """Payload of ``attendance.recorded``: one classroom day of one team."""
    return {
        "enrolment_id": enrolment.id, "session_id": enrolment.session_id,
        "sme_id": enrolment.sme_id, "provider_id": enrolment.provider_id, "day": day,
        "present": present, "absent": absent, "recorded_by": actor,
    }


def visit_payload(visit: Visit, module_code: str, recorded: int, required: int,
                  actor: str) -> dict:
    """Payload of ``visit.recorded``, with the enterprise's progress in visits."""
    assert visit.visited_on is not None and visit.duration_minutes is not None
    return {
        "visit_id": visit.id, "enrolment_id": visit.enrolment_id,
        "session_id": visit.session_id, "sme_id": visit.sme_id,
        "provider_id": visit.provider_id, "module_code": module_code,
        "trainer_id": visit.trainer_id, "visited_on": visit.visited_on,
        "duration_minutes": visit.duration_minutes, "topics": list(visit.topics),
        "members_present": len(visit.members_present),
        "actions_agreed": list(visit.actions_agreed), "visits_recorded": recorded,
        "visits_required": required, "recorded_by": actor,
    }


def kpi_payload(report: KpiReport, sme: Sme, direction: str) -> dict:
    """Payload of ``kpi.reported`` (with the SME's profile for the ILO's indicators)."""
    return {"direction": direction,
        "report_id": report.id, "sme_id": report.sme_id, "kpi_code": report.kpi_code,
        "kind": report.kind, "period_start": report.period_start,
        "period_end": report.period_end, "method": report.method, "value": report.value,
        "version": report.version, "supersedes_id": report.supersedes_id,
        "sme_province_code": sme.province_code, "sme_kbli_code": sme.kbli_code,
        "sme_kbli_version": sme.kbli_version, "sme_size_class": sme.size_class,
        "reported_by": report.reported_by,
    }


def case_study_payload(study: CaseStudy, consent: CaseStudyConsent, sme: Sme) -> dict:
    """Payload of ``case_study.published``."""
    return {
        "case_study_id": study.id, "sme_id": sme.id,
        "sme_name": sme.legal_name if consent.name_published else None,
        "sme_province_code": sme.province_code, "sme_kbli_code": sme.kbli_code,
        "sme_kbli_version": sme.kbli_version, "sme_size_class": sme.size_class,
        "title": study.title, "story": study.story, "kpis": study.kpis,
        "consent_id": consent.id, "consent_granted_by": consent.granted_by,
        "consent_granted_at": consent.granted_at, "published_by": study.published_by,
    }


STATEMENT_FIGURES = ("card_collected", "card_collected_direct", "card_refunded", "bank_received",
                     "bank_refunded", "sponsor_committed", "sponsor_reversed", "fee",
                     "fee_withheld", "net_payable")


def statement_payload(statement: Statement, actor: str) -> dict:
    """Payload of ``statement.issued`` / ``statement.paid``."""
    return {
        "statement_id": statement.id, "provider_id": statement.provider_id,
        "month": statement.month, "status": statement.status, "currency": statement.currency,
        "fee_percent": statement.fee_percent,
        **{name: getattr(statement, name) for name in STATEMENT_FIGURES},
        "paid_on": statement.paid_on, "bank_reference": statement.bank_reference,
        "changed_by": actor,
    }


def _type(name: str, schema: type[Schema], description: str) -> EventType:
    return EventType(f"score.enrolment.{name}.v1", schema, description)


SME_REGISTERED = _type("sme.registered", SmeRegistered, "An SME registered.")
SME_UPDATED = _type("sme.updated", SmePayload, "An SME changed its profile.")
ENROLMENT_HELD = _type("enrolment.held", EnrolmentPayload,
                       "A team's seats are held until expires_at while the SME pays.")
ENROLMENT_CONFIRMED = _type("enrolment.confirmed", EnrolmentPayload,
                            "An enrolment is paid (or needs no payment): its seats are kept.")
ENROLMENT_CANCELLED = _type("enrolment.cancelled", EnrolmentPayload,
                            "An enrolment was cancelled (SME, provider or session cancelled).")
ENROLMENT_EXPIRED = _type("enrolment.expired", EnrolmentPayload,
                          "An unpaid hold lapsed: its seats are released.")
ENROLMENT_COMPLETED = _type("enrolment.completed", EnrolmentCompleted,
                            "The session's attendance closed: who completed the training.")
WAITLIST_JOINED = _type("waitlist.joined", WaitlistPayload, "A team joined a session's waitlist.")
WAITLIST_OFFERED = _type("waitlist.offered", WaitlistPayload,
                         "Freed seats were offered to a waiting team as a new hold.")
WAITLIST_WITHDRAWN = _type("waitlist.withdrawn", WaitlistPayload,
                           "A team left a session's waitlist (its SME withdrew it, or it "
                           "enrolled by other means).")
WAITLIST_LAPSED = _type("waitlist.lapsed", WaitlistPayload,
                        "A waiting team's session closed for enrolment before seats freed.")
PAYMENT_SUCCEEDED = _type("payment.succeeded", PaymentPayload, "A payment was received.")
PAYMENT_FAILED = _type("payment.failed", PaymentPayload, "A payment failed or lapsed.")
PAYMENT_REFUNDED = _type("payment.refunded", PaymentPayload, "A refund reached the SME.")
ATTENDANCE_RECORDED = _type("attendance.recorded", AttendancePayload,
                            "A classroom day's attendance of a team was recorded.")
VISIT_RECORDED = _type("visit.recorded", VisitPayload, "A consultancy visit took place.")
KPI_REPORTED = _type("kpi.reported", KpiPayload, "An SME reported a KPI value.")
CASE_STUDY_PUBLISHED = _type("case_study.published", CaseStudyPayload,
                              "An SME's before/after KPI case study was published with its "
                              "consent (a Phase III indicator).")
STATEMENT_ISSUED = _type("statement.issued", StatementPayload,
                         "A provider's monthly settlement statement was issued (frozen).")
STATEMENT_PAID = _type("statement.paid", StatementPayload,
                       "An issued statement's net payable was settled by bank transfer.")

EVENTS = EventCatalog([
    SME_REGISTERED, SME_UPDATED,
    ENROLMENT_HELD, ENROLMENT_CONFIRMED, ENROLMENT_CANCELLED, ENROLMENT_EXPIRED,
    ENROLMENT_COMPLETED, WAITLIST_JOINED, WAITLIST_OFFERED, WAITLIST_WITHDRAWN, WAITLIST_LAPSED,
    PAYMENT_SUCCEEDED, PAYMENT_FAILED, PAYMENT_REFUNDED,
    ATTENDANCE_RECORDED, VISIT_RECORDED, KPI_REPORTED, CASE_STUDY_PUBLISHED,
    STATEMENT_ISSUED, STATEMENT_PAID,
])
