"""SME use cases: register, edit, read. Identity makes the registrant an ``sme_user`` by event."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.enrolment import access, events, rules
from services.enrolment.config import EnrolmentPolicy
from services.enrolment.models import Enrolment, Sme
from shared import indonesia
from shared.auth import Principal
from shared.db import Database
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.events import publish
from shared.locks import serialise_on
from shared.persistence import assign, load, unique_violation

_NIB_TAKEN = {"nib": ["an SME with this NIB is registered"]}


def register_sme(db: Database, principal: Principal, policy: EnrolmentPolicy,
                 data: dict[str, Any]) -> Sme:
    """A new SME; identity grants its registrant ``sme_user`` of it (one SME per account)."""
    if principal.role != "sme_user" or principal.org is not None:
        raise Forbidden("only SME users not yet acting for an SME may register one")
    fields = _checked(data, policy)
    with db.transaction() as session:
        serialise_on(session, f"sme-registration:{principal.subject}")
        earlier = session.scalar(select(Sme.id).where(Sme.registered_by == principal.subject))
        if earlier is not None:
            raise Conflict(f"you have already registered SME {earlier}; an account "
                           "registers one SME")
        if session.scalar(select(Sme.id).where(Sme.nib == fields["nib"])) is not None:
            raise Conflict("an SME with this NIB is registered", errors=_NIB_TAKEN)
        sme = Sme(**fields, registered_by=principal.subject)
        session.add(sme)
        with unique_violation("an SME with this NIB is registered", _NIB_TAKEN):
            session.flush()
        publish(session, events.SME_REGISTERED, sme.id,
                {**events.sme_payload(sme, principal.subject),
                 "registered_by": principal.subject})
        return sme


def update_sme(db: Database, principal: Principal, policy: EnrolmentPolicy, sme_id: str,
               changes: dict[str, Any]) -> Sme:
    """Edit the SME's profile (its own users); workforce and size class stay consistent."""
    access.require_sme(principal, sme_id)
    with db.transaction() as session:
        sme = load(session, Sme, sme_id, lock=True, entity="SME")
        current = {k: getattr(sme, k) for k in ("employees_women", "employees_men",
                                                 "province_code")}
        fields = _checked({**current, **changes}, policy, partial=set(changes))
        if assign(sme, fields):
            session.flush()
            publish(session, events.SME_UPDATED, sme.id,
                    events.sme_payload(sme, principal.subject))
        return sme


def get_sme(db: Database, principal: Principal, sme_id: str) -> Sme:
    """An SME its users, auditors, admins and the providers it enrolled with may see."""
    with db.reading() as session:
        sme = session.get(Sme, sme_id)
        if sme is None or not _visible(session, principal, sme):
            raise NotFound("no such SME")
        return sme


def _visible(session, principal: Principal, sme: Sme) -> bool:
    if principal.reads_everything or access.acts_for_sme(principal, sme.id):
        return True
    if principal.role != "provider_staff" or principal.org is None:
        return False
    return session.scalar(select(Enrolment.id).where(
        Enrolment.sme_id == sme.id, Enrolment.provider_id == principal.org).limit(1)) is not None


def _checked(data: dict[str, Any], policy: EnrolmentPolicy,
             partial: set[str] | None = None) -> dict[str, Any]:
    """The columns to store: province as BPS code, workforce total and size class derived."""
    fields = dict(data) if partial is None else {k: data[k] for k in partial}
    errors: dict[str, list[str]] = {}
    if partial is None or "province_code" in partial:
        bps = indonesia.province_bps(data["province_code"])
        if bps is None:
            errors["province_code"] = ["no such province (BPS or ISO 3166-2:ID code)"]
        fields["province_code"] = bps
    women, men = data["employees_women"], data["employees_men"]
    errors = rules.merge(errors, rules.workforce_errors(women + men, women, men))
    if errors:
        raise ValidationFailed("the SME is not valid", errors=errors)
    if partial is None or {"employees_women", "employees_men"} & partial:
        fields.update(employees_total=women + men,
                      size_class=rules.size_class(women + men, policy.size_bands))
    return fields
