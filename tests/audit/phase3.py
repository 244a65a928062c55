"""Events as their producers publish them, reduced to what the Phase III projection reads.

For the projection's pure tests and the API tests: each builder returns
``(type, data)``; :func:`fold` folds them into a state at chosen times and
:func:`logged` appends them to an audit log as the ingest would.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from services.audit.indicators.projection import State, apply, empty
from services.audit.ingest import append
from shared.events.bus import Message
from shared.events.envelope import EventEnvelope

# 2026-02-10 noon in Jakarta: the first quarter of 2026.
Q1 = dt.datetime(2026, 2, 10, 5, tzinfo=dt.UTC)
_offsets = itertools.count()


def provider(provider_id: str, status: str = "approved"):
    return f"score.catalog.provider.{status}.v1", {"provider_id": provider_id, "status": status}


def session(session_id: str, provider_id: str, *, province: str = "32", ilo: bool = False,
            cost: int = 10_000_000, status: str = "completed"):
    return f"score.catalog.session.{status}.v1", {
        "session_id": session_id, "provider_id": provider_id, "province_code": province,
        "ilo_supervised": ilo, "estimated_delivery_cost": cost, "status": status}


def completed(sme_id: str, session_id: str, provider_id: str, *, province: str = "32",
              ilo: bool = False, team: tuple[tuple[str, str, bool], ...] = (
                  ("manager", "female", True), ("worker", "male", True))):
    """``team``: (role, gender, completed) per participant."""
    return "score.enrolment.enrolment.completed.v1", {
        "sme_id": sme_id, "session_id": session_id, "provider_id": provider_id,
        "session_province_code": province, "ilo_supervised": ilo,
        "outcomes": [{"role": role, "gender": gender, "completed": done}
                     for role, gender, done in team]}


def paid(session_id: str, amount: int):
    return "score.enrolment.payment.succeeded.v1", {"session_id": session_id, "amount": amount}


def refunded(session_id: str, refund: int):
    return "score.enrolment.payment.refunded.v1", {"session_id": session_id,
                                                   "refund_amount": refund}


def sponsor(sponsor_id: str, kind: str):
    return "score.sponsorship.sponsor.approved.v1", {"sponsor_id": sponsor_id, "kind": kind}


def reservation(action: str, session_id: str, provider_id: str, *lines: tuple[str, int],
                province: str = "32"):
    return f"score.sponsorship.reservation.{action}.v1", {
        "session_id": session_id, "provider_id": provider_id,
        "session_province_code": province, "amount": sum(a for _, a in lines),
        "lines": [{"sponsor_id": s, "amount": a} for s, a in lines]}


def trainer(trainer_id: str, gender: str, *, province: str = "32", provider_id: str | None = None):
    return "score.certification.trainer.registered.v1", {
        "trainer_id": trainer_id, "gender": gender, "province_code": province,
        "provider_id": provider_id}


def module_status(trainer_id: str, status: str, module: str = "M1"):
    return "score.certification.module_status.changed.v1", {
        "trainer_id": trainer_id, "module_code": module, "status": status}


def kpi(sme_id: str, kind: str, value: str, *, report_id: str | None = None,
        supersedes: str | None = None, period_end: str = "2026-03-31", code: str = "productivity",
        kbli: str = "13111", province: str = "32", direction: str = "higher_is_better"):
    return "score.enrolment.kpi.reported.v1", {
        "report_id": report_id or str(uuid.uuid4()), "sme_id": sme_id, "kpi_code": code,
        "kind": kind, "value": value, "period_end": period_end, "supersedes_id": supersedes,
        "sme_province_code": province, "sme_kbli_code": kbli, "direction": direction}


def case_study(province: str = "32"):
    return "score.enrolment.case_study.published.v1", {"sme_province_code": province}


def fold(*events, at: dt.datetime = Q1, state: State | None = None) -> State:
    """``events`` folded into ``state`` (a fresh one by default), all at time ``at``."""
    state = state or empty()
    for type_, data in events:
        apply(state, state["next"], type_, at, data)
    return state


def logged(db, *events, at: dt.datetime = Q1) -> None:
    """Append ``events`` to the audit log of ``db`` (CloudEvents stamped ``at``)."""
    records = []
    for type_, data in events:
        subject = next((data[k] for k in ("session_id", "sme_id", "trainer_id", "sponsor_id",
                                          "provider_id") if data.get(k)), "x")
        envelope = EventEnvelope(id=str(uuid.uuid4()), source="/score/test", type=type_,
                                 subject=subject, time=at, data=data,
                                 providerid=data.get("provider_id"))
        records.append(Message(type_.split(".")[0] + "." + type_.split(".")[1], 0,
                               next(_offsets), subject, envelope.to_bytes(), {}, 0))
    with db.transaction() as session:
        append(session, records)
