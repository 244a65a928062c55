"""Demo data for ``score run`` (development only), created through the use cases.

Eight SMEs in eight provinces (:mod:`.seed_data`) – registered by the SME owners
identity's seed provides – enrol teams of women and men, managers and workers,
into catalog's demo sessions. Catalog's seed provides its sessions as their
latest events carried them; this seed feeds them through the consumer's own
handlers, so the sessions read model is whole before any consumer runs (the
consumer later receives the same events and finds nothing left to change).

The sessions catalog delivered already are replayed on the days things happened
(``clock.replaying``): KPI baselines, enrolment, a bank invoice and the
provider's receipt, attendance on each classroom day (one worker misses a last
day), ``session.completed`` closing the attendance (the completion rule), a
recorded consultancy visit and the next one planned, KPI follow-ups. Upcoming
sessions get an enrolment in each remaining state: confirmed, awaiting payment,
held and cancelled; one hold lapsed unpaid (expired).

``seed_demo`` is idempotent: once the first demo SME exists it creates nothing.
It provides the demo SMEs' ids (``smes``: key in :mod:`.seed_data` → SME id) to the
seeds of services that depend on enrolment (sponsorship's lead buyer funds some).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from services.enrolment import config, handlers, payments
from services.enrolment.models import Sme
from services.enrolment.seed_data import (
    DELIVERED_TEAMS,
    LAPSED,
    SMES,
    UPCOMING,
    baseline_kpis,
    follow_up_kpis,
    team_of,
)
from services.enrolment.service import (
    attendance,
    bank,
    cancellation,
    enrolments,
    expiry,
    kpis,
    smes,
    visits,
)
from services.enrolment.sponsorship import Sponsorship
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.events.consumer import ReceivedEvent
from shared.seeding import SeedContext, SeedResult

ENROL_AHEAD_DAYS = 28  # teams enrol four weeks before a delivered session's first day
ACTIONS = {"published": "published", "in_progress": "started", "completed": "completed"}


@dataclasses.dataclass
class Demo:
    """What the seed works with: database, policy, principals, enrolments, and its tally."""

    db: Database
    policy: config.EnrolmentPolicy
    payments: payments.Payments
    staff: Mapping[str, str]
    smes: dict[str, Principal] = dataclasses.field(default_factory=dict)
    enrolled: dict[tuple[str, str], str] = dataclasses.field(default_factory=dict)
    created: dict[str, int] = dataclasses.field(default_factory=lambda: {
        "SMEs": 0, "enrolments": 0, "attendance days": 0, "visits": 0, "KPI reports": 0})

    def provider(self, offered: dict) -> Principal:
        """The staff of the session's provider."""
        user = self.staff.get(offered["provider_id"], "demo-provider-staff")
        return Principal(user, "provider_staff", offered["provider_id"], "provider")


def seed_demo(db: Database, context: SeedContext) -> SeedResult:
    """Create enrolment's demo data unless it exists; returns what was created."""
    catalog = context.provided("catalog")
    sessions = list(catalog.get("sessions", []))
    with db.reading() as session:
        seeded = session.scalar(select(Sme.id).where(Sme.nib == SMES[0].nib)) is not None
    if not sessions or seeded:
        return SeedResult(created={}, provides=provided(db))
    demo = Demo(db, config.load_policy(context.settings), payments.build(context.settings),
                catalog.get("provider_staff", {}))
    owners = context.provided("identity").get("sme_users", {})
    delivered = [s for s in sessions if s["status"] in ("in_progress", "completed")]
    upcoming = [s for s in sessions if s["status"] == "published"]
    for offered in upcoming:
        _feed(db, offered)
    earliest = min((_date(s["start_date"]) for s in delivered), default=clock.today())
    with clock.replaying(earliest - dt.timedelta(days=ENROL_AHEAD_DAYS + 7)):
        for sme in SMES:
            _register(demo, sme.key, sme.registration(), owners.get(sme.owner_email))
            _report(demo, sme.key, baseline_kpis(sme.key, clock.today()))
        _correct(demo, SMES[0].key, "productivity", "overtime hours were left out")
    for offered in delivered:
        _deliver(demo, offered)
    _upcoming(demo, upcoming)
    return SeedResult(created={**demo.created, "sessions (read model)": len(sessions)},
                      provides=provided(db))


def provided(db: Database) -> dict[str, Any]:
    """The demo SMEs that exist, by their key in :mod:`.seed_data` (``smes``: key → id)."""
    with db.reading() as session:
        ids = dict(session.execute(select(Sme.nib, Sme.id).where(
            Sme.nib.in_([sme.nib for sme in SMES]))).all())
    return {"smes": {sme.key: ids[sme.nib] for sme in SMES if sme.nib in ids}}


def _feed(db: Database, payload: dict, status: str | None = None) -> None:
    """Apply a catalog session event through the consumer's handler (``status``: as it was)."""
    data = {**payload, "status": status or payload["status"]}
    handler = handlers.HANDLERS.get(f"score.catalog.session.{ACTIONS[data['status']]}.v1")
    assert handler is not None
    event = ReceivedEvent(str(uuid.uuid4()), handler.type, "/score/catalog", data["session_id"],
                          clock.now(), data["provider_id"], handler.load(data))
    with db.transaction() as session:
        handler.apply(session, event)


def _register(demo: Demo, key: str, registration: dict, owner: str | None) -> None:
    registrant = owner or f"demo-sme-{key}"
    sme = smes.register_sme(demo.db, Principal(registrant, "sme_user"), demo.policy,
                            registration)
    demo.smes[key] = Principal(registrant, "sme_user", sme.id, "sme")
    demo.created["SMEs"] += 1


def _deliver(demo: Demo, offered: dict) -> None:
    """A delivered session's story: enrolled and paid, classroom days, completion, visits."""
    where = (offered["province_code"], offered["module_code"])
    teams = DELIVERED_TEAMS.get(where, ())
    start, end = _date(offered["start_date"]), _date(offered["end_date"])
    with clock.replaying(start - dt.timedelta(days=ENROL_AHEAD_DAYS)):
        _feed(demo.db, offered, "published")
        for key in teams:
            _paid(demo, key, offered)
        if LAPSED[1] == where:
            _lapsed(demo, LAPSED[0], offered)
    last = offered["classroom_days"]
    for day in range(1, last + 1):
        on = start + dt.timedelta(days=day - 1)
        if on >= clock.today():
            break  # a day still under way is recorded by its trainers, not the demo
        with clock.replaying(on, hour=16):
            if day == 1:
                _feed(demo.db, offered, "in_progress")
            for number, key in enumerate(teams):
                _attend(demo, key, offered, day, absent_last=number == 1 and day == last)
    if offered["status"] != "completed":
        return
    with clock.replaying(end, hour=17):
        _feed(demo.db, offered)
    for key in teams:
        _visits(demo, key, offered, end)
        _report(demo, key, follow_up_kpis(key, end))


def _enrol(demo: Demo, key: str, offered: dict) -> str:
    enrolled = enrolments.enrol_team(demo.db, demo.smes[key], demo.policy, offered["session_id"],
                                     {"participants": team_of(key),
                                      "join_waitlist_if_full": False})
    assert enrolled.enrolment is not None, f"{key} found no seats"
    demo.enrolled[key, offered["session_id"]] = enrolled.enrolment.id
    demo.created["enrolments"] += 1
    return enrolled.enrolment.id


def _invoiced(demo: Demo, key: str, offered: dict) -> Any:
    enrolment_id = _enrol(demo, key, offered)
    # Demo data is priced without sponsors (sponsorship seeds after enrolment, if at all).
    started = bank.create_invoice(demo.db, demo.smes[key], enrolment_id, demo.policy,
                                  demo.payments, sponsorship=Sponsorship.disabled(),
                                  authorization=None)
    assert started.payment is not None  # full price: always an invoice
    return started.payment


def _paid(demo: Demo, key: str, offered: dict) -> None:
    """Enrol and pay by bank transfer: the SME's invoice, then the provider's receipt."""
    invoice = _invoiced(demo, key, offered)
    bank.confirm_receipt(demo.db, demo.provider(offered), invoice.id, {
        "amount_received": invoice.amount, "received_on": clock.today(),
        "bank_reference": f"BCA {invoice.payment_reference}"}, demo.payments)


def _lapsed(demo: Demo, key: str, offered: dict) -> None:
    """A team that held seats and never paid: the reaper let the hold go the next day."""
    enrolment_id = _enrol(demo, key, offered)
    with clock.replaying(clock.today() + dt.timedelta(days=1)):
        expiry.expire_if_overdue(demo.db, enrolment_id, demo.policy)


def _attend(demo: Demo, key: str, offered: dict, day: int, *, absent_last: bool) -> None:
    """The provider's staff record a classroom day (``absent_last``: the last one missed it)."""
    enrolment_id = demo.enrolled[key, offered["session_id"]]
    sheet = attendance.enrolment_sheet(demo.db, demo.smes[key], demo.policy, enrolment_id)
    present = [p["participant_id"] for p in sheet["participants"]]
    attendance.record_day(demo.db, demo.provider(offered), demo.policy, enrolment_id, day,
                          present[:-1] if absent_last else present)
    demo.created["attendance days"] += 1


def _visits(demo: Demo, key: str, offered: dict, end: dt.date) -> None:
    """The lead trainer visited two weeks after the classroom; the next visit is planned."""
    trainer = next(t["trainer_id"] for t in offered["trainers"] if t["role"] == "lead")
    principal = Principal(trainer, "trainer")
    enrolment_id = demo.enrolled[key, offered["session_id"]]
    team = [p["participant_id"] for p in attendance.enrolment_sheet(
        demo.db, principal, demo.policy, enrolment_id)["participants"]]
    visited = end + dt.timedelta(days=14)
    with clock.replaying(end + dt.timedelta(days=1), hour=10):
        visit = visits.schedule(demo.db, principal, enrolment_id,
                                {"scheduled_on": visited, "trainer_id": trainer})
    with clock.replaying(visited, hour=15):
        visits.record(demo.db, principal, visit.id, {
            "visited_on": visited, "duration_minutes": 180,
            "topics": ["Tim perbaikan: peran dan jadwal rapat", "5S di area produksi"],
            "members_present": team[:3],
            "actions_agreed": ["Rapat tim perbaikan setiap Senin pagi",
                               "Papan saran pekerja di kantin"]})
    visits.schedule(demo.db, principal, enrolment_id, {
        "scheduled_on": clock.today() + dt.timedelta(days=10), "trainer_id": trainer})
    demo.created["visits"] += 2


def _report(demo: Demo, key: str, reports: list[dict[str, Any]]) -> None:
    principal = demo.smes[key]
    for report in reports:
        kpis.report(demo.db, principal, demo.policy, principal.org or "", report)
        demo.created["KPI reports"] += 1


def _correct(demo: Demo, key: str, kpi: str, note: str) -> None:
    """A baseline measured again: the correction supersedes it (a new version)."""
    principal = demo.smes[key]
    (first,) = [r for r in kpis.history(demo.db, principal, principal.org or "")
                if r["kpi"] == kpi and r["kind"] == "baseline"]
    _report(demo, key, [{**{k: first[k] for k in ("kind", "period_start", "period_end",
                                                  "method", "kpi")},
                         "value": first["value"] - 1, "note": note, "corrects": first["id"]}])


def _upcoming(demo: Demo, upcoming: list[dict]) -> None:
    """Upcoming sessions: one enrolment confirmed, awaiting payment, held and cancelled."""
    for key, module, province, state in UPCOMING:
        offered = _session_for(upcoming, module, province)
        if offered is None:
            continue
        if state == "confirmed":
            _paid(demo, key, offered)
        elif state == "awaiting_payment":
            _invoiced(demo, key, offered)
        elif state == "cancelled":
            cancellation.cancel_enrolment(demo.db, demo.smes[key], demo.policy,
                                          _enrol(demo, key, offered), "jadwal produksi bentrok")
        else:
            _enrol(demo, key, offered)


def _session_for(upcoming: list[dict], module: str, province: str) -> dict | None:
    """The earliest upcoming session of ``module``, in ``province`` if there is one."""
    fitting = [s for s in upcoming if s["module_code"] == module]
    return min(fitting, key=lambda s: (s["province_code"] != province, s["start_date"]),
               default=None)


def _date(value: str | dt.date) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
