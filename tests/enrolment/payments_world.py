"""A world for payment tests: a published session, SMEs, held enrolments, signed Stripe events."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from typing import Any

import stripe
from sqlalchemy import func, select

from services.enrolment.config import DEFAULT_SIZE_BANDS, EnrolmentPolicy, parse_size_bands
from services.enrolment.models import (
    Enrolment,
    Notification,
    OfferedSession,
    Payment,
    Sme,
    StripeEvent,
)
from services.enrolment.payments.settings import SANDBOX_WEBHOOK_SECRET
from services.enrolment.service import holds
from shared import clock
from shared.events.tables import outbox

POLICY = EnrolmentPolicy(size_bands=parse_size_bands(DEFAULT_SIZE_BANDS))
PRICE = 1_500_000
PROVIDER = "7c0ffee0-0000-4000-8000-000000000001"


def seed_world(db, *, capacity: int = 10, start_in_days: int = 30,
               deadline_in_days: int = 20, session_id: str = "s1",
               provider_id: str = PROVIDER) -> None:
    """A published session of ``capacity`` seats and four SMEs (sme1..sme4)."""
    today = clock.today()
    with db.transaction() as session:
        session.add(OfferedSession(
            id=session_id, provider_id=provider_id, course_id="c1", module_code="M1",
            title_id="Kerja sama di tempat kerja", title_en="Workplace cooperation",
            start_date=today + dt.timedelta(days=start_in_days),
            end_date=today + dt.timedelta(days=start_in_days + 1),
            enrolment_deadline=today + dt.timedelta(days=deadline_in_days), city="Bandung",
            province_code="32", capacity=capacity, price_per_participant=PRICE,
            max_participants_per_enterprise=6, trainers=[], ilo_supervised=False,
            estimated_delivery_cost=40_000_000, classroom_days=2, consultancy_visits=2,
            status="published"))
        for n in range(1, 5):
            if session.get(Sme, f"sme{n}") is None:
                session.add(Sme(id=f"sme{n}", legal_name=f"PT Maju {n}", nib=f"{n:013d}",
                                kbli_code="13111", kbli_version="2020", province_code="32",
                                city="Bandung", address="Jl. Asia Afrika 1",
                                employees_total=40, employees_women=20, employees_men=20,
                                size_class="medium", contact_name="Ibu Sari",
                                contact_email=f"owner{n}@sme.example", contact_phone="0812",
                                registered_by=f"u{n}"))


def team(size: int) -> list[dict]:
    """A team of ``size``: one manager, the rest workers, women and men."""
    return [{"full_name": f"Peserta {i}", "gender": "female" if i % 2 else "male",
             "role": "manager" if i == 0 else "worker", "position": "staff"}
            for i in range(size)]


def hold(db, sme_id: str = "sme1", size: int = 3, session_id: str = "s1") -> str:
    """Hold seats for a team of ``sme_id``; the enrolment's id."""
    with db.transaction() as session:
        enrolment = holds.open_enrolment(session, session.get(OfferedSession, session_id),
                                         session.get(Sme, sme_id), team(size), actor="u",
                                         policy=POLICY)
        assert enrolment is not None
        return enrolment.id


def enrolment(db, enrolment_id: str) -> Enrolment:
    with db.reading() as session:
        return session.get(Enrolment, enrolment_id)


def payment(db, payment_id: str) -> Payment:
    with db.reading() as session:
        return session.get(Payment, payment_id)


def counters(db, session_id: str = "s1") -> tuple[int, int]:
    """(seats held, seats confirmed) of the session."""
    with db.reading() as session:
        offered = session.get(OfferedSession, session_id)
        return offered.seats_held, offered.seats_confirmed


def event_types(db) -> list[str]:
    """Published event types in order, short (``enrolment.held``, ``payment.succeeded``)."""
    with db.reading() as session:
        return [t.removeprefix("score.enrolment.").removesuffix(".v1")
                for t in session.scalars(select(outbox.c.type).order_by(outbox.c.id))]


def stored_events(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(StripeEvent))


def mails(db) -> list[str]:
    with db.reading() as session:
        return list(session.scalars(select(Notification.template)
                                    .order_by(Notification.created_at)))


def stripe_event(kind: str, obj: dict[str, Any], event_id: str | None = None) -> dict:
    """An event in the shape Stripe sends (API objects under ``data.object``)."""
    return {"id": event_id or f"evt_{uuid.uuid4().hex}", "object": "event",
            "api_version": "2025-03-31.basil", "created": int(time.time()),
            "data": {"object": obj}, "livemode": False, "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None}, "type": kind}


def checkout_session(pay: Payment, *, status: str = "complete",
                     payment_status: str = "paid") -> dict[str, Any]:
    """The Checkout Session object of a card payment, as Stripe describes it."""
    return {"id": pay.checkout_id, "object": "checkout.session",
            "amount_total": pay.amount * 100, "currency": "idr",
            "client_reference_id": pay.enrolment_id,
            "metadata": {"enrolment_id": pay.enrolment_id, "payment_id": pay.id},
            "mode": "payment", "payment_intent": f"pi_{pay.id.replace('-', '')[:20]}",
            "payment_status": payment_status, "status": status}


def charge(pay: Payment, refunded: int) -> dict[str, Any]:
    """The Charge object of a card payment with ``refunded`` rupiah refunded."""
    return {"id": "ch_test", "object": "charge", "amount": pay.amount * 100,
            "amount_refunded": refunded * 100, "currency": "idr",
            "payment_intent": pay.payment_intent_id, "refunded": refunded == pay.amount,
            "status": "succeeded", "metadata": {}}


def signed(event: dict | str, *, secret: str = SANDBOX_WEBHOOK_SECRET,
           timestamp: int | None = None) -> tuple[str, dict[str, str]]:
    """The body and headers of a delivery signed as Stripe signs it."""
    body = event if isinstance(event, str) else json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)
    return body, {"Stripe-Signature": header, "Content-Type": "application/json; charset=utf-8"}


def deliver(client, event: dict, **kwargs):
    """POST a signed event to the webhook."""
    body, headers = signed(event, **kwargs)
    return client.post("/webhooks/stripe", data=body, headers=headers)
