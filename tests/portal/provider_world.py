"""What the faked services answer a training provider's pages (tests/portal/test_provider*.py)."""

from __future__ import annotations

import copy

PROVIDER = "7c0ffee0-0000-4000-8000-000000000001"
OTHER = "0dd00dd0-0000-4000-8000-000000000002"
COURSE_ID = "c0c0c0c0-0000-4000-8000-000000000001"
SESSION_ID = "5e551015-0000-4000-8000-000000000001"
ENROLMENT_ID = "e0e0e0e0-0000-4000-8000-000000000001"
PAYMENT_ID = "9a9a9a9a-0000-4000-8000-000000000001"
VISIT_ID = "f1f1f1f1-0000-4000-8000-000000000001"

MODULE = {"code": "M1", "number": 1, "name_id": "Kerja Sama di Tempat Kerja",
          "name_en": "Workplace Cooperation", "prerequisite_code": None}
PROVIDER_BODY = {
    "id": PROVIDER, "legal_name": "Pro Serve Indonesia", "npwp": "012345678901234",
    "contact_name": "Ibu Sari", "email": "staff@proserve.example", "phone": "+62 21 555 0101",
    "address": "Jl. Sudirman 1, Jakarta", "provinces_served": ["31", "32"], "description": "",
    "website": None, "status": "approved", "status_reason": None,
    "created_at": "2026-01-05T03:00:00+00:00", "approved_at": "2026-01-06T03:00:00+00:00"}
COURSE = {
    "id": COURSE_ID, "provider_id": PROVIDER, "module_code": "M1", "module": MODULE,
    "title_id": "Kerja Sama di Tempat Kerja", "title_en": "Workplace Cooperation",
    "description_id": "Lokakarya dua hari dan kunjungan.", "description_en": "Two days.",
    "language": "id", "classroom_days": 2, "consultancy_visits": 2,
    "price_per_participant": 1_500_000, "max_participants_per_enterprise": 4,
    "status": "published", "created_at": "2026-01-07T03:00:00+00:00",
    "published_at": "2026-01-07T03:00:00+00:00",
    "provider": {"id": PROVIDER, "legal_name": "Pro Serve Indonesia"}}
SESSION = {
    "id": SESSION_ID, "status": "published", "course": COURSE, "provider": PROVIDER_BODY,
    "start_date": "2027-03-01", "end_date": "2027-03-02", "enrolment_deadline": "2027-02-20",
    "venue_address": "Hotel Savoy Homann, Jl. Asia Afrika 112", "city": "Bandung",
    "province_code": "32", "capacity": 20, "seats_taken": 5, "seats_free": 15,
    "is_full": False, "price_per_participant": 1_500_000, "ilo_supervised": False,
    "estimated_delivery_cost": 30_000_000, "cancel_reason": None,
    "trainers": [{"trainer_id": "trainer-siti", "role": "lead"}],
    "created_at": "2026-01-08T03:00:00+00:00", "published_at": "2026-01-08T03:00:00+00:00"}
ENROLMENT = {
    "id": ENROLMENT_ID, "session_id": SESSION_ID, "sme_id": "sme-1", "provider_id": PROVIDER,
    "module_code": "M1", "status": "awaiting_payment", "participants_count": 3, "managers": 1,
    "workers": 2, "women": 2, "men": 1, "price_per_participant": 1_500_000,
    "amount_due": 4_500_000, "sme_share": 4_500_000, "sponsor_share": 0,
    "reservation_id": None, "payment_method": "bank_transfer",
    "expires_at": "2027-02-20T17:00:00+00:00", "status_reason": None,
    "created_at": "2026-02-01T03:00:00+00:00", "updated_at": "2026-02-01T03:00:00+00:00"}
INVOICE = {
    "id": PAYMENT_ID, "enrolment_id": ENROLMENT_ID, "provider_id": PROVIDER,
    "method": "bank_transfer", "gateway": "bank", "status": "pending", "amount": 4_500_000,
    "currency": "IDR", "invoice_number": "INV/7C0FFEE0/2026/000001",
    "payment_reference": "7C0FFEE0260000019", "due_date": "2027-02-08",
    "participants": 3, "price_per_participant": 1_500_000,
    "session": {"id": SESSION_ID, "module_code": "M1", "title_id": "Kerja Sama di Tempat Kerja",
                "title_en": "Workplace Cooperation", "city": "Bandung",
                "start_date": "2027-03-01", "end_date": "2027-03-02"},
    "sme": {"id": "sme-1", "legal_name": "CV Tenun Nusantara", "npwp": None,
            "address": "Jl. Braga 5", "city": "Bandung"}}
SHEET = {
    "session_id": SESSION_ID, "classroom_days": 2, "days_required": 2, "enrolments": [{
        "enrolment_id": ENROLMENT_ID, "session_id": SESSION_ID, "sme_id": "sme-1",
        "sme_name": "CV Tenun Nusantara", "status": "confirmed", "participants": [
            {"participant_id": "p-1", "full_name": "Ibu Ratna", "gender": "female",
             "role": "manager", "days": [{"day": 1, "present": True},
                                         {"day": 2, "present": None}],
             "days_present": 1, "completed": None},
            {"participant_id": "p-2", "full_name": "Pak Budi", "gender": "male",
             "role": "worker", "days": [{"day": 1, "present": False},
                                        {"day": 2, "present": None}],
             "days_present": 0, "completed": None}]}]}
VISIT = {
    "id": VISIT_ID, "enrolment_id": ENROLMENT_ID, "session_id": SESSION_ID, "sme_id": "sme-1",
    "provider_id": PROVIDER, "trainer_id": "trainer-siti", "status": "scheduled",
    "scheduled_on": "2027-03-20", "visited_on": None, "duration_minutes": None, "topics": [],
    "members_present": [], "actions_agreed": [], "cancel_reason": None, "created_by": "u",
    "recorded_by": None, "created_at": "2027-03-03T03:00:00+00:00", "recorded_at": None}


def statement(month: str, **figures: int) -> dict:
    """An open monthly statement with ``figures`` (the rest 0)."""
    names = ("card_collected", "card_collected_direct", "card_refunded", "bank_received",
             "bank_refunded", "sponsor_committed", "sponsor_reversed", "platform_cash", "fee",
             "fee_withheld", "net_payable")
    return {"id": None, "provider_id": PROVIDER, "provider_name": "Pro Serve Indonesia",
            "month": month, "status": "open", "currency": "IDR", "fee_percent": "5.00",
            **{name: figures.get(name, 0) for name in names}, "issued_at": None,
            "issued_by": None, "paid_on": None, "bank_reference": None, "lines": []}


def world(services) -> None:
    """Reference data, the provider, a course, a session and what enrolment knows of it."""
    services.answer("catalog", "GET", "/modules", {"items": [MODULE]})
    services.answer("catalog", "GET", "/provinces", {"items": [
        {"bps_code": "32", "iso_code": "ID-JB", "name": "Jawa Barat"},
        {"bps_code": "31", "iso_code": "ID-JK", "name": "DKI Jakarta"}]})
    services.answer("catalog", "GET", f"/providers/{PROVIDER}", PROVIDER_BODY)
    services.answer("catalog", "GET", f"/providers/{PROVIDER}/courses", {"items": [COURSE]})
    services.answer("catalog", "GET", f"/courses/{COURSE_ID}", COURSE)
    services.answer("catalog", "GET", f"/providers/{PROVIDER}/sessions", {
        "items": [summary()], "next_cursor": None, "limit": 20})
    services.answer("catalog", "GET", f"/sessions/{SESSION_ID}", SESSION)
    services.answer("certification", "GET", "/trainers", {"items": [
        {"id": "trainer-siti", "full_name": "Siti Nurhaliza", "provider_id": PROVIDER}],
        "next_cursor": None, "limit": 100})
    services.answer("enrolment", "GET", f"/sessions/{SESSION_ID}", {
        "id": SESSION_ID, "provider_id": PROVIDER, "capacity": 20, "seats_held": 3,
        "seats_confirmed": 2, "seats_free": 15, "status": "published"})
    services.answer("enrolment", "GET", f"/sessions/{SESSION_ID}/enrolments", {
        "items": [ENROLMENT], "next_cursor": None, "limit": 20})
    services.answer("enrolment", "GET", "/smes/sme-1", {"id": "sme-1",
                                                        "legal_name": "CV Tenun Nusantara"})
    services.answer("enrolment", "GET", f"/providers/{PROVIDER}/invoices", {
        "items": [INVOICE], "next_cursor": None, "limit": 100})
    services.answer("enrolment", "GET", f"/invoices/{PAYMENT_ID}", INVOICE)
    services.answer("enrolment", "GET", f"/sessions/{SESSION_ID}/attendance", SHEET)
    services.answer("enrolment", "GET", f"/enrolments/{ENROLMENT_ID}", {
        **ENROLMENT, "status": "confirmed"})
    services.answer("enrolment", "GET", f"/enrolments/{ENROLMENT_ID}/visits", {
        "enrolment_id": ENROLMENT_ID, "visits_recorded": 0, "visits_required": 2,
        "items": [VISIT]})
    services.answer("enrolment", "GET", f"/visits/{VISIT_ID}", VISIT)


def summary(**changes) -> dict:
    """The session as a list shows it."""
    found = copy.deepcopy(SESSION)
    found.pop("trainers")
    return {**found, "provider": {"id": PROVIDER, "legal_name": "Pro Serve Indonesia"},
            **changes}


def in_progress(services) -> None:
    """The session is being delivered."""
    services.answer("catalog", "GET", f"/sessions/{SESSION_ID}", {**SESSION,
                                                                  "status": "in_progress"})
