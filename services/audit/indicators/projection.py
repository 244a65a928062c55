"""The Phase III projection: the log's events folded, in ``seq`` order, into one state.

Pure code: :func:`apply` takes the state and one logged event and changes the
state; nothing here reads a database or a clock, so the same entries always
fold into the same state (a replay from any checkpoint reproduces it). The
state is plain JSON (dicts, strings, integers) so a checkpoint is just its
serialisation (:mod:`services.audit.indicators.checkpoints`).

It keeps facts, not answers: figures per slice key (period | province |
provider, :mod:`~services.audit.indicators.periods`) and per entity where a
later event changes an earlier fact (a session's money, a trainer's module
statuses, an SME's current KPI reports). :mod:`~services.audit.indicators.figures`
turns it into indicators for any filter, :mod:`~services.audit.indicators.productivity`
into the national productivity view.

Events it reads (their producers' payloads, contracts/events/):

- catalog ``provider.*`` (status), ``session.*`` (provider, province,
  ``ilo_supervised``, ``estimated_delivery_cost``; ``completed`` = delivered);
- enrolment ``enrolment.completed`` (the team's outcomes: who completed, role,
  gender), ``payment.succeeded`` / ``payment.refunded`` (SME money),
  ``kpi.reported`` (enterprise KPIs), ``case_study.published``;
- sponsorship ``sponsor.*`` (kind), ``reservation.committed`` / ``reversed``
  (sponsor money and which sponsor paid it);
- certification ``trainer.*`` (gender, province, provider) and
  ``module_status.changed`` (certified or not, per module).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from services.audit.indicators.periods import quarter_of, slice_key

State = dict[str, Any]
CERTIFIED = "certified"


def empty() -> State:
    """The state before the first entry (``next``: the seq of the next entry to fold)."""
    return {"next": 0, "providers": {}, "sponsors": {}, "sessions": {}, "smes": {},
            "participants": {}, "sponsor_money": {}, "trainers": {}, "case_studies": {},
            "kpis": {}}


def apply(state: State, seq: int, type_: str, time: dt.datetime, data: dict[str, Any]) -> None:
    """Fold the event logged at ``seq`` (its type, time and payload) into ``state``."""
    if seq != state["next"]:
        raise ValueError(f"entry {seq} folded out of order (expected {state['next']})")
    state["next"] = seq + 1
    name = type_.removeprefix("score.").rsplit(".v", 1)[0]
    fold = FOLDS.get(name) or (_session if name.startswith("catalog.session.") else None)
    if fold is not None:
        fold(state, quarter_of(time), data)


# ---------------------------------------------------------------- catalog


def _provider(state: State, period: str, data: dict) -> None:
    state["providers"][data["provider_id"]] = data["status"]


def _session_record(state: State, session_id: str) -> dict:
    return state["sessions"].setdefault(session_id, {
        "provider": None, "province": None, "ilo": False, "cost": 0, "delivered": None,
        "sme_paid": 0, "sponsored": 0})


def _session(state: State, period: str, data: dict) -> None:
    record = _session_record(state, data["session_id"])
    record.update(provider=data["provider_id"], province=data["province_code"],
                  ilo=bool(data["ilo_supervised"]), cost=data["estimated_delivery_cost"])
    if data["status"] == "completed" and record["delivered"] is None:
        record["delivered"] = period


# ---------------------------------------------------------------- enrolment


def _completed(state: State, period: str, data: dict) -> None:
    """A team's attendance closed: the SME is trained if anyone of it completed."""
    done = [o for o in data["outcomes"] if o["completed"]]
    if not done:
        return
    key = slice_key(period, data["session_province_code"], data["provider_id"])
    smes = state["smes"].setdefault(key, {"direct": {}, "independent": {}})
    smes["direct" if data["ilo_supervised"] else "independent"][data["sme_id"]] = 1
    counts = state["participants"].setdefault(key, {"managers": 0, "workers": 0,
                                                    "women": 0, "men": 0})
    for outcome in done:
        counts["managers" if outcome["role"] == "manager" else "workers"] += 1
        counts["women" if outcome["gender"] == "female" else "men"] += 1


def _paid(state: State, period: str, data: dict) -> None:
    _session_record(state, data["session_id"])["sme_paid"] += data["amount"]


def _refunded(state: State, period: str, data: dict) -> None:
    _session_record(state, data["session_id"])["sme_paid"] -= data["refund_amount"] or 0


def _kpi(state: State, period: str, data: dict) -> None:
    """The SME's current reports per KPI: its baseline, its follow-ups (corrections replace)."""
    sme = state["kpis"].setdefault(data["sme_id"], {"reports": {}})
    sme.update(province=data["sme_province_code"], kbli=data["sme_kbli_code"])
    kpi = sme["reports"].setdefault(data["kpi_code"], {"baseline": None, "follow_ups": {}})
    if data.get("direction"):
        kpi["direction"] = data["direction"]
    report = [str(data["value"]), str(data["period_end"])]
    if data["kind"] == "baseline":
        kpi["baseline"] = report  # one chain per KPI: the newest version is current
    else:
        kpi["follow_ups"].pop(data["supersedes_id"] or "", None)
        kpi["follow_ups"][data["report_id"]] = report


def _case_study(state: State, period: str, data: dict) -> None:
    key = slice_key(period, data["sme_province_code"], None)
    state["case_studies"][key] = state["case_studies"].get(key, 0) + 1


# ---------------------------------------------------------------- sponsorship


def _sponsor(state: State, period: str, data: dict) -> None:
    state["sponsors"][data["sponsor_id"]] = data["kind"]


def _reservation(sign: int) -> Callable[[State, str, dict], None]:
    """Committed money counts (+), a reversed commitment is taken back (−), when it happens."""

    def fold(state: State, period: str, data: dict) -> None:
        record = _session_record(state, data["session_id"])
        record["sponsored"] += sign * data["amount"]
        key = slice_key(period, data["session_province_code"], data["provider_id"])
        money = state["sponsor_money"].setdefault(key, {})
        for line in data["lines"]:
            money[line["sponsor_id"]] = money.get(line["sponsor_id"], 0) + sign * line["amount"]

    return fold


# ---------------------------------------------------------------- certification


def _trainer_record(state: State, trainer_id: str) -> dict:
    return state["trainers"].setdefault(trainer_id, {
        "gender": None, "province": None, "provider": None, "registered": None,
        "modules": {}, "certified": None})


def _trainer(state: State, period: str, data: dict) -> None:
    record = _trainer_record(state, data["trainer_id"])
    record.update(gender=data["gender"], province=data["province_code"],
                  provider=data["provider_id"])
    record["registered"] = record["registered"] or period


def _module_status(state: State, period: str, data: dict) -> None:
    record = _trainer_record(state, data["trainer_id"])
    record["registered"] = record["registered"] or period
    record["modules"][data["module_code"]] = data["status"]
    if data["status"] == CERTIFIED and record["certified"] is None:
        record["certified"] = period  # the pool grew when the trainer was first certified


FOLDS: dict[str, Callable[[State, str, dict], None]] = {
    "catalog.provider.registered": _provider, "catalog.provider.updated": _provider,
    "catalog.provider.approved": _provider, "catalog.provider.suspended": _provider,
    "enrolment.enrolment.completed": _completed,
    "enrolment.payment.succeeded": _paid, "enrolment.payment.refunded": _refunded,
    "enrolment.kpi.reported": _kpi, "enrolment.case_study.published": _case_study,
    "sponsorship.sponsor.registered": _sponsor, "sponsorship.sponsor.approved": _sponsor,
    "sponsorship.sponsor.suspended": _sponsor,
    "sponsorship.reservation.committed": _reservation(+1),
    "sponsorship.reservation.reversed": _reservation(-1),
    "certification.trainer.registered": _trainer, "certification.trainer.updated": _trainer,
    "certification.module_status.changed": _module_status,
}
