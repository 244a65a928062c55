"""Enterprise KPIs: a baseline before the training, follow-ups after – append-only.

The KPIs are configuration (``EnrolmentPolicy.kpis``: code, names, unit, and
which direction is better). Company-level figures are noisy, so each value
travels with its period and method, and nothing is ever edited: a correction is
a new report naming the one it corrects (``corrects``), which must be the latest
version of its chain (409 otherwise – someone corrected it first), of the same
KPI and kind; it gets the next version. Each KPI has one baseline chain: a
second baseline that is not a correction is 409. A baseline's period ends before
the SME's first session starts (when it has enrolled).

Who reports: the SME's own users – and, on its behalf, staff of a provider that
trained it (a confirmed or completed enrolment), since trainers often collect
the figures during consultancy visits. Who reads: those, the staff of any
provider it enrolled with, auditors and admins (as the SME's profile).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.enrolment import access, events, lifecycle, rules
from services.enrolment.config import EnrolmentPolicy, KpiDefinition
from services.enrolment.models import Enrolment, KpiReport, OfferedSession, Sme
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.events import publish
from shared.locks import serialise_on
from shared.persistence import unique_violation

TRAINED = ("confirmed", "completed")
SCALE = Decimal("0.0001")  # the column's four decimals
_CORRECTED = {"corrects": ["this report has been corrected; correct its latest version"]}


def report(db: Database, principal: Principal, policy: EnrolmentPolicy, sme_id: str,
           data: dict[str, Any]) -> dict[str, Any]:
    """Report a KPI value of an SME (a correction when ``corrects`` names a report)."""
    with db.transaction() as session:
        sme = _sme(session, principal, sme_id, write=True)
        # One report of an SME at a time: chains and the single baseline stay whole.
        serialise_on(session, f"kpi-reports:{sme_id}")
        kpi = policy.kpi(data["kpi"])
        if kpi is None:
            raise ValidationFailed("unknown KPI", errors={
                "kpi": [f"one of {', '.join(k.code for k in policy.kpis)} (GET /kpis)"]})
        previous = _previous(session, sme_id, kpi, data)
        _check_period(session, sme_id, data)
        entry = KpiReport(sme_id=sme_id, kpi_code=kpi.code, kind=data["kind"],
                          period_start=data["period_start"], period_end=data["period_end"],
                          method=data["method"], value=data["value"].quantize(SCALE),
                          note=data.get("note"),
                          version=previous.version + 1 if previous else 1,
                          supersedes_id=previous.id if previous else None,
                          reported_by=principal.subject)
        session.add(entry)
        with unique_violation("this report has been corrected", _CORRECTED):
            session.flush()
        publish(session, events.KPI_REPORTED, entry.id, events.kpi_payload(entry, sme,
                                                                       kpi.direction))
        return {**as_dict(entry), "superseded_by": None}


def history(db: Database, principal: Principal, sme_id: str) -> list[dict[str, Any]]:
    """Every report of the SME, each with the report that superseded it (if any)."""
    with db.reading() as session:
        _sme(session, principal, sme_id, write=False)
        return with_successors(reports_of(session, sme_id))


def summary(db: Database, principal: Principal, policy: EnrolmentPolicy,
            sme_id: str) -> dict[str, Any]:
    """Per configured KPI: the baseline, the latest follow-up and how the KPI moved."""
    with db.reading() as session:
        _sme(session, principal, sme_id, write=False)
        current = [r for r in with_successors(reports_of(session, sme_id))
                   if r["superseded_by"] is None]
    return {"sme_id": sme_id, "kpis": [kpi_summary(kpi, current) for kpi in policy.kpis]}


def first_session_start(session: Session, sme_id: str) -> dt.date | None:
    """When the SME's first session (of an open enrolment) starts, if it has one."""
    return session.scalar(select(func.min(OfferedSession.start_date))
                          .join(Enrolment, Enrolment.session_id == OfferedSession.id)
                          .where(Enrolment.sme_id == sme_id,
                                 Enrolment.status.in_(lifecycle.OPEN_ENROLMENT_STATES)))


def _sme(session: Session, principal: Principal, sme_id: str, *, write: bool) -> Sme:
    sme = session.get(Sme, sme_id)
    if sme is None or not (access.acts_for_sme(principal, sme_id) or principal.reads_everything
                           or _provider_of(session, principal, sme_id,
                                           lifecycle.ENROLMENT.states)):
        raise NotFound("no such SME")
    if write and not (access.acts_for_sme(principal, sme_id)
                      or _provider_of(session, principal, sme_id, TRAINED)):
        raise Forbidden("the SME's users and the providers that trained it report its KPIs")
    return sme


def _provider_of(session: Session, principal: Principal, sme_id: str,
                 statuses: tuple[str, ...]) -> bool:
    """The caller is staff of a provider with an enrolment of the SME in ``statuses``."""
    return (principal.role == "provider_staff" and principal.org is not None
            and _enrolled_with(session, sme_id, principal.org, statuses))


def _enrolled_with(session: Session, sme_id: str, provider_id: str,
                   statuses: tuple[str, ...]) -> bool:
    return session.scalar(select(Enrolment.id).where(
        Enrolment.sme_id == sme_id, Enrolment.provider_id == provider_id,
        Enrolment.status.in_(statuses)).limit(1)) is not None


def _previous(session: Session, sme_id: str, kpi: KpiDefinition,
              data: dict[str, Any]) -> KpiReport | None:
    """The report a correction supersedes (checked), or None for a new chain."""
    corrects = data.get("corrects")
    if corrects is None:
        if data["kind"] == "baseline" and _current_baseline(session, sme_id, kpi.code):
            raise Conflict(f"{kpi.code} has a baseline; correct it instead", errors={
                "kind": ["one baseline per KPI: send a correction (corrects)"]})
        return None
    previous = session.get(KpiReport, corrects)
    if previous is None or previous.sme_id != sme_id:
        raise ValidationFailed("no such report", errors={"corrects": ["no such report of "
                                                                      "this SME"]})
    mismatch = {name: [f"a correction keeps the corrected report's {name} ({value})"]
                for name, value, given in (("kpi", previous.kpi_code, kpi.code),
                                           ("kind", previous.kind, data["kind"]))
                if value != given}
    if mismatch:
        raise ValidationFailed("a correction corrects a value, not what it measures",
                               errors=mismatch)
    if session.scalar(select(KpiReport.id).where(KpiReport.supersedes_id == previous.id)):
        raise Conflict("this report has been corrected", errors=_CORRECTED)
    return previous


def _current_baseline(session: Session, sme_id: str, code: str) -> bool:
    superseded = select(KpiReport.supersedes_id).where(KpiReport.supersedes_id.is_not(None))
    return session.scalar(select(KpiReport.id).where(
        KpiReport.sme_id == sme_id, KpiReport.kpi_code == code, KpiReport.kind == "baseline",
        KpiReport.id.not_in(superseded)).limit(1)) is not None


def _check_period(session: Session, sme_id: str, data: dict[str, Any]) -> None:
    errors = rules.kpi_period_errors(data["period_start"], data["period_end"], data["kind"],
                                     first_session_start(session, sme_id), clock.today())
    if errors:
        raise ValidationFailed("the measurement period is not valid", errors=errors)


def reports_of(session: Session, sme_id: str) -> list[KpiReport]:
    return list(session.scalars(select(KpiReport).where(KpiReport.sme_id == sme_id)
                                .order_by(KpiReport.kpi_code, KpiReport.reported_at,
                                          KpiReport.version)))


def with_successors(reports: list[KpiReport]) -> list[dict[str, Any]]:
    successor = {r.supersedes_id: r.id for r in reports if r.supersedes_id}
    return [{**as_dict(r), "superseded_by": successor.get(r.id)} for r in reports]


def as_dict(entry: KpiReport) -> dict[str, Any]:
    """A report as the API shows it (without its successor)."""
    return {"id": entry.id, "sme_id": entry.sme_id, "kpi": entry.kpi_code, "kind": entry.kind,
            "period_start": entry.period_start, "period_end": entry.period_end,
            "method": entry.method, "value": entry.value, "version": entry.version,
            "supersedes_id": entry.supersedes_id, "note": entry.note,
            "reported_by": entry.reported_by, "reported_at": entry.reported_at}


def kpi_summary(kpi: KpiDefinition, current: list[dict[str, Any]]) -> dict[str, Any]:
    mine = [r for r in current if r["kpi"] == kpi.code]
    baseline, follow_up = _latest(mine, "baseline"), _latest(mine, "follow_up")
    out: dict[str, Any] = {
        "kpi": kpi.code, "name_id": kpi.name_id, "name_en": kpi.name_en, "unit": kpi.unit,
        "direction": kpi.direction, "baseline": baseline, "latest_follow_up": follow_up,
        "change": None, "change_percent": None, "improved": None}
    if baseline is not None and follow_up is not None:
        change = rules.kpi_change(kpi, baseline["value"], follow_up["value"])
        out.update(change=change.change, change_percent=change.change_percent,
                   improved=change.improved)
    return out


def _latest(reports: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    """The report of ``kind`` with the latest period (then the latest reported)."""
    return max((r for r in reports if r["kind"] == kind),
               key=lambda r: (r["period_end"], r["reported_at"]), default=None)
