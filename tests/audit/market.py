"""A generated market driven through the services' use cases, wired by their own events.

Catalog, enrolment, sponsorship and certification run as apps on SQLite, each on
a bus of its own; :meth:`Market.wire` hands every event one service published to
the consumers of the others (as Kafka would), and enrolment asks sponsorship for
quotes at checkout in-process (as it would over HTTP). What the generator decided
is kept in :class:`Truth`, from which the ground-truth test computes the
indicators it expects.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from services import catalog, certification, enrolment, sponsorship
from services.catalog import service as catalog_service
from services.enrolment.sponsorship.client import parse_answer
from shared import clock
from shared.events.consumer import ConsumerRunner
from tests.audit.logged import published
from tests.catalog.builders import ADMIN, Builder
from tests.certification.builders import Programme
from tests.enrolment.builders import register_sme
from tests.sponsorship.builders import Market as SponsorMarket
from tests.support.apps import migrated_sqlite

PRICE = 2_000_000
RUNTIMES = {"catalog": catalog, "enrolment": enrolment, "sponsorship": sponsorship,
            "certification": certification}


@dataclasses.dataclass
class Truth:
    """What the generator made happen."""

    providers: dict[str, str] = dataclasses.field(default_factory=dict)  # id → final status
    sessions: list[dict] = dataclasses.field(default_factory=list)
    teams: list[dict] = dataclasses.field(default_factory=list)
    sponsors: dict[str, str] = dataclasses.field(default_factory=dict)  # id → kind
    trainers: list[dict] = dataclasses.field(default_factory=list)
    kpis: list[dict] = dataclasses.field(default_factory=list)
    case_studies: list[str] = dataclasses.field(default_factory=list)  # SME provinces


class InProcessQuotes:
    """Enrolment's sponsorship client, answered by the sponsorship app's own /quotes."""

    def __init__(self, client) -> None:
        self.client = client

    def reserve(self, request, authorization):
        response = self.client.post("/quotes", json=request.body(),
                                    headers={"Authorization": authorization})
        return parse_answer(response.data)


class Market:
    """The four services and the wiring between them."""

    def __init__(self, tmp_path, app_config, auth) -> None:
        self.auth = auth
        self.apps = {}
        for name, package in RUNTIMES.items():
            url = migrated_sqlite(package.runtime(), tmp_path)
            self.apps[name] = package.create_app(app_config(
                database_url=url, local_bus_path=str(tmp_path / f"{name}-bus.db")))
        self.db = {name: app.extensions["score_db"] for name, app in self.apps.items()}
        self.client = {name: app.test_client() for name, app in self.apps.items()}
        self.runners = {name: ConsumerRunner(self.db[name], app.extensions["score_bus"],
                                             RUNTIMES[name].runtime().group,
                                             RUNTIMES[name].runtime().handlers,
                                             max_attempts=1, backoff_ms=1)
                        for name, app in self.apps.items()}
        self.forwarded = dict.fromkeys(self.apps, 0)
        self.catalog = Builder(self.db["catalog"])
        self.programme = Programme(self.apps["certification"], auth)
        self.sponsors = SponsorMarket(self.apps["sponsorship"], auth)
        self.apps["enrolment"].extensions["enrolment_sponsorship"].client = InProcessQuotes(
            self.client["sponsorship"])
        self.truth = Truth()

    def close(self) -> None:
        for db in self.db.values():
            db.dispose()

    def wire(self) -> None:
        """Deliver every event published since the last call to the other services' consumers."""
        for source in self.apps:
            fresh = published(self.db[source])[self.forwarded[source]:]
            self.forwarded[source] += len(fresh)
            for message in fresh:
                for target, runner in self.runners.items():
                    if target != source and message.topic in runner.handlers.topics:
                        assert runner.process(message) in ("applied", "ignored"), message

    # ------------------------------------------------------------------ generation

    def generate(self, rng: random.Random) -> None:
        """Providers, sessions, SMEs, teams, payments, sponsors, trainers, KPIs, case studies."""
        today = clock.today()
        self._trainers(rng)
        smes = [self._sme(rng, n) for n in range(14)]
        self.wire()
        self._sponsors(rng, smes)
        providers = [self.catalog.provider() for _ in range(5)]
        for n, provider in enumerate(providers):
            course = self.catalog.course(provider, classroom_days=1, price_per_participant=PRICE)
            for _ in range(2):
                ilo = n == 0 or (n < 4 and rng.random() < 0.4)  # provider 0: supervised only
                self._session(rng, provider.id, course, ilo, smes, today)
        for sme in smes:
            self._kpis(rng, sme, today)
        for sme in rng.sample(smes, 4):
            self._case_study(sme)
        catalog_service.suspend_provider(self.db["catalog"], ADMIN, providers[3].id, "audit")
        self.truth.providers = {p.id: "approved" for p in providers} | {
            providers[3].id: "suspended"}
        self.wire()

    def _trainers(self, rng: random.Random) -> None:
        expert = self.programme.expert(gender="female", province_code="33")
        self.truth.trainers.append({"gender": "female", "province": "33", "certified": False})
        for _ in range(7):
            gender, province = rng.choice(("female", "male")), rng.choice(("32", "33", "35"))
            trainer_id = self.programme.trainer(gender=gender, province_code=province)
            certified = rng.random() < 0.5
            if certified:
                self.programme.certified(trainer_id, expert)
            self.truth.trainers.append({"gender": gender, "province": province,
                                        "certified": certified})

    def _sme(self, rng: random.Random, n: int) -> dict:
        province = rng.choice(("32", "32", "33"))
        kbli = rng.choice(("13111", "10110", "25111", "13111"))
        subject = f"sme-owner-{n}"
        sme_id = register_sme(self.db["enrolment"], self.apps["enrolment"].extensions[
            "enrolment_policy"], subject=subject, province_code=province, kbli_code=kbli)
        return {"id": sme_id, "province": province, "kbli": kbli,
                "headers": self.auth("sme_user", sme_id, "sme", subject=subject)}

    def _sponsors(self, rng: random.Random, smes: list[dict]) -> None:
        """Sponsors of every kind, each paying a share of the fee for SMEs of its own."""
        for kind, chosen in zip(("ministry", "donor", "lead_buyer", "lead_buyer"),
                                (smes[0:3], smes[3:6], smes[6:9], []), strict=True):
            sponsor_id = self.sponsors.sponsor(f"Sponsor {kind}", kind)
            self.truth.sponsors[sponsor_id] = kind
            if not chosen:
                continue  # a lead buyer whose money no one used: no collaboration
            share = rng.choice((20, 40, 50, 60))
            fund = self.sponsors.fund(sponsor_id, amount=1_000_000_000)
            self.sponsors.offer(sponsor_id, fund, {"smes": [s["id"] for s in chosen],
                                                   "share_percent": share})
            for sme in chosen:
                sme["sponsor"], sme["share"] = sponsor_id, share

    def _session(self, rng, provider_id, course, ilo, smes, today) -> None:
        province = rng.choice(("32", "33", "35"))
        cost = rng.randrange(10, 40) * 1_000_000
        day = today.isoformat()
        ts = self.catalog.session(course, province_code=province, ilo_supervised=ilo,
                                  estimated_delivery_cost=cost, start_date=day, end_date=day,
                                  enrolment_deadline=day)
        self.wire()
        staff = self.auth("provider_staff", provider_id, "provider")
        teams = []
        for sme in rng.sample(smes, rng.randint(1, 3)):
            teams.append(self._team(rng, sme, ts.id, staff))
        catalog_principal = self.catalog.staff(provider_id)
        catalog_service.start_session(self.db["catalog"], catalog_principal, ts.id)
        self.wire()
        for team in teams:
            present = [p for p, done in zip(team["ids"], team["completed"], strict=True) if done]
            response = self.client["enrolment"].put(
                f"/enrolments/{team['id']}/attendance/1", json={"present": present},
                headers=staff)
            assert response.status_code == 200, response.json
        catalog_service.complete_session(self.db["catalog"], catalog_principal, ts.id)
        self.wire()
        self.truth.sessions.append({"id": ts.id, "provider": provider_id, "province": province,
                                    "ilo": ilo, "cost": cost, "teams": teams})

    def _team(self, rng, sme, session_id, staff) -> dict:
        size = rng.randint(2, 4)
        roles = ["manager", "worker", *(rng.choice(("manager", "worker")) for _ in range(2))]
        members = [{"full_name": f"Peserta {i}", "gender": rng.choice(("female", "male")),
                    "role": roles[i], "position": "Staf"} for i in range(size)]
        enrolled = self.client["enrolment"].post(f"/sessions/{session_id}/enrolments",
                                                 json={"participants": members},
                                                 headers=sme["headers"])
        assert enrolled.status_code == 201, enrolled.json
        enrolment_id = enrolled.json["id"]
        invoice = self.client["enrolment"].post(f"/enrolments/{enrolment_id}/invoice",
                                                headers=sme["headers"])
        assert invoice.status_code in (200, 201), invoice.json
        paid = invoice.json["amount"]
        confirmed = self.client["enrolment"].post(
            f"/invoices/{invoice.json['id']}/confirm", headers=staff, json={
                "amount_received": paid, "received_on": clock.today().isoformat(),
                "bank_reference": f"BCA {enrolment_id[:8]}"})
        assert confirmed.status_code == 200, confirmed.json
        self.wire()
        sponsored = PRICE * size * sme.get("share", 0) // 100
        assert paid == PRICE * size - sponsored  # enrolment asked sponsorship at checkout
        completed = [rng.random() < 0.85 for _ in members]
        return {"id": enrolment_id, "sme": sme["id"], "ids": [
            p["id"] for p in enrolled.json["participants"]], "members": members,
            "completed": completed, "paid": paid, "sponsored": sponsored,
            "sponsor": sme.get("sponsor")}

    def _kpis(self, rng: random.Random, sme: dict, today: dt.date) -> None:
        """A productivity baseline before the training; most SMEs report a follow-up."""
        baseline = rng.randrange(50, 150)
        reports = [("baseline", today - dt.timedelta(days=60), today - dt.timedelta(days=31),
                    baseline)]
        follow_up = None
        if rng.random() < 0.8:
            follow_up = baseline + rng.randrange(-20, 60)
            reports.append(("follow_up", today, today, follow_up))
        for kind, start, end, value in reports:
            response = self.client["enrolment"].post(f"/smes/{sme['id']}/kpis", json={
                "kpi": "productivity", "kind": kind, "period_start": start.isoformat(),
                "period_end": end.isoformat(), "method": "output per worker hour, payroll",
                "value": str(value)}, headers=sme["headers"])
            assert response.status_code == 201, response.json
        self.truth.kpis.append({**sme, "baseline": baseline, "follow_up": follow_up})

    def _case_study(self, sme: dict) -> None:
        client = self.client["enrolment"]
        consent = client.post(f"/smes/{sme['id']}/case-study-consents", headers=sme["headers"],
                              json={"kpis": ["productivity"], "name_published": False,
                                    "statement": "We agree to share our productivity results."})
        assert consent.status_code == 201, consent.json
        study = client.post(f"/smes/{sme['id']}/case-studies", headers=sme["headers"], json={
            "consent_id": consent.json["id"], "title": "Productivity after SCORE",
            "story": "Shared targets and daily huddles raised output per hour."})
        if study.status_code == 201:
            self.truth.case_studies.append(sme["province"])
        else:  # no follow-up: nothing to publish
            assert study.status_code == 422, study.json
