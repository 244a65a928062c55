"""Test data for sponsorship, through the real paths.

Other services' events (enrolment's SMEs and enrolments, catalog's sessions) are
built with the producers' own schemas and applied by sponsorship's real consumer
on the local bus; sponsors, funds and offers are made over HTTP as their users
would.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

from services import sponsorship
from services.catalog import events as catalog_events
from services.enrolment import events as enrolment_events
from shared import clock
from shared.events import EventEnvelope
from shared.events.consumer import ConsumerRunner
from tests.enrolment.builders import session_payload

_numbers = itertools.count(1)
ADMIN = ("platform_admin", "platform")


def days(n: int) -> dt.date:
    """The date ``n`` days from today (WIB)."""
    return clock.today() + dt.timedelta(days=n)


def sme_payload(sme_id: str | None = None, **overrides) -> dict:
    """An enrolment ``sme.registered`` payload: a small weaving SME in West Java."""
    n = next(_numbers)
    payload = {"sme_id": sme_id or str(uuid.uuid4()), "legal_name": f"CV Tenun {n}",
               "nib": f"{8_000_000_000_000 + n:013d}", "npwp": None, "kbli_code": "13111",
               "kbli_version": "2020", "province_code": "32", "city": "Bandung",
               "employees_total": 12, "employees_women": 7, "employees_men": 5,
               "size_class": "small", "changed_by": "sme-user", "registered_by": "sme-user"}
    payload.update(overrides)
    return payload


def team(participants: int = 4, managers: int = 1, women: int = 2) -> dict:
    """A team mix for a quote."""
    return {"participants": participants, "managers": managers,
            "workers": participants - managers, "women": women, "men": participants - women}


class Market:
    """Sponsorship's surroundings: the other services' events, and its users over HTTP."""

    def __init__(self, app, auth) -> None:
        self.app, self.auth = app, auth
        self.client = app.test_client()
        self.bus = app.extensions["score_bus"]
        runtime = sponsorship.runtime()
        self.runner = ConsumerRunner(app.extensions["score_db"], self.bus, runtime.group,
                                     runtime.handlers, max_attempts=1, backoff_ms=1)
        self.consumer = self.bus.consumer(runtime.group, runtime.handlers.topics)

    # -- other services' events ---------------------------------------------------------
    def deliver(self, topic: str, kind, subject: str, payload: dict) -> str:
        """Publish one event as its producer would and let the consumer apply it."""
        source = "/score/" + topic.removeprefix("score.")
        value = EventEnvelope.new(source, kind.type, subject, kind.validate(payload)).to_bytes()
        producer = self.bus.producer()
        producer.send(topic, subject, value)
        producer.flush()
        (message,) = self.consumer.poll(timeout_ms=1000, max_records=1)
        outcome = self.runner.process(message)
        self.consumer.commit(message)
        return outcome

    def session(self, **overrides) -> dict:
        """A published catalog session sponsorship knows (price 2.5 M per participant)."""
        payload = session_payload(**overrides)
        assert self.deliver("score.catalog", catalog_events.SESSION_PUBLISHED,
                            payload["session_id"], payload) == "applied"
        return payload

    def sme(self, **overrides) -> dict:
        """A registered SME sponsorship knows."""
        payload = sme_payload(**overrides)
        assert self.deliver("score.enrolment", enrolment_events.SME_REGISTERED,
                            payload["sme_id"], payload) == "applied"
        return payload

    def enrolment_event(self, kind, **fields) -> str:
        """An ``enrolment.*`` event (``kind`` from enrolment's catalog) with ``fields``."""
        payload = {"enrolment_id": "enr-1", "hold_id": "enr-1", "session_id": "s",
                   "sme_id": "sme", "provider_id": "prov-1", "module_code": "M1",
                   "ilo_supervised": True, "session_province_code": "32",
                   "sme_province_code": "32", "sme_kbli_code": "13111",
                   "sme_size_class": "small", "status": "confirmed", "participants": 4,
                   "managers": 1, "workers": 3, "women": 2, "men": 2,
                   "price_per_participant": 2_500_000, "amount_due": 10_000_000,
                   "sme_share": 10_000_000, "sponsor_share": 0, "expires_at": None,
                   "reason": None, "changed_by": "sme-user", "reservation_id": None,
                   "title_en": "Workplace Cooperation", "start_date": days(-3),
                   "end_date": days(-2), "provider_name": "PT Pelatihan Maju"}
        payload.update(fields)
        known = set(kind.schema().fields)
        payload = {k: v for k, v in payload.items() if k in known}
        return self.deliver("score.enrolment", kind, payload["enrolment_id"], payload)

    # -- sponsorship's users -------------------------------------------------------------
    def sponsor(self, name: str = "Kemnaker", kind: str = "ministry") -> str:
        """An approved sponsor; returns its id (its staff: ``self.staff(id)``)."""
        subject = f"sponsor-user-{next(_numbers)}"
        response = self.client.post("/sponsors", json={
            "name": name, "kind": kind, "contact_name": "Ibu Rina",
            "contact_email": "rina@sponsor.example", "contact_phone": "+62 21 555 0100"},
            headers=self.auth("sponsor_staff", subject=subject))
        assert response.status_code == 201, response.get_json()
        sponsor_id = response.get_json()["id"]
        approved = self.client.post(f"/sponsors/{sponsor_id}/approve", json={},
                                    headers=self.auth(*ADMIN))
        assert approved.status_code == 200, approved.get_json()
        return sponsor_id

    def staff(self, sponsor_id: str) -> dict:
        """Authorization of the sponsor's staff."""
        return self.auth("sponsor_staff", sponsor_id, "sponsor")

    def fund(self, sponsor_id: str, amount: int = 100_000_000, unit: str = "IDR",
             valid_from: dt.date | None = None, valid_until: dt.date | None = None) -> str:
        """An open fund with ``amount`` deposited; returns its id."""
        response = self.client.post(f"/sponsors/{sponsor_id}/funds", json={
            "name": f"Fund {next(_numbers)}", "unit": unit,
            "valid_from": (valid_from or days(-30)).isoformat(),
            "valid_until": (valid_until or days(330)).isoformat(),
            "initial_deposit": {"amount": amount, "reference": f"APBN-{uuid.uuid4()}"}},
            headers=self.staff(sponsor_id))
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def offer(self, sponsor_id: str, fund_id: str, rules: dict[str, Any] | None = None,
              stackable: bool = False, publish: bool = True) -> str:
        """An offer on the fund (published unless told); returns its id."""
        response = self.client.post(f"/funds/{fund_id}/offers", json={
            "title": f"Offer {next(_numbers)}", "stackable": stackable,
            "rules": rules if rules is not None else {"share_percent": 50}},
            headers=self.staff(sponsor_id))
        assert response.status_code == 201, response.get_json()
        offer_id = response.get_json()["id"]
        if publish:
            published = self.client.post(f"/offers/{offer_id}/publish",
                                         headers=self.staff(sponsor_id))
            assert published.status_code == 200, published.get_json()
        return offer_id

    def quote(self, sme_id: str, session_id: str, team_mix: dict | None = None,
              reserve: dict | None = None, headers: dict | None = None):
        """POST /quotes as the SME's user (or ``headers``); returns the response."""
        body: dict[str, Any] = {"sme_id": sme_id, "session_id": session_id,
                                "team": team_mix or team()}
        if reserve is not None:
            body["reserve"] = reserve
        return self.client.post("/quotes", json=body,
                                headers=headers or self.auth("sme_user", sme_id, "sme"))

    def balance(self, sponsor_id: str, fund_id: str) -> dict:
        """The fund's balance as its staff sees it."""
        response = self.client.get(f"/funds/{fund_id}", headers=self.staff(sponsor_id))
        assert response.status_code == 200, response.get_json()
        return response.get_json()["balance"]


def hold(enrolment_id: str | None = None, minutes: int = 45) -> dict:
    """The ``reserve`` part of a quote for a fresh seat hold."""
    enrolment_id = enrolment_id or str(uuid.uuid4())
    expires = clock.now() + dt.timedelta(minutes=minutes)
    return {"enrolment_id": enrolment_id, "hold_id": enrolment_id,
            "expires_at": expires.isoformat()}
