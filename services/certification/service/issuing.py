"""Issuing credentials: a trainer's per certified module, and the hooks the trainer side calls.

Whoever certifies or revokes a trainer's module (``service/trainers``' decisions) calls
:func:`on_certified` / :func:`on_revoked` inside the same transaction, so a module is never
certified without its credential nor revoked with its credential still valid.

- Certified (and recertified): one OB 3.0 trainer credential valid until the module
  status's ``valid_until`` (the start of that day in Jakarta – the rules expire a
  certification *on* that date). Called again for the same certification (the same
  validity), it returns the credential already issued.
- Revoked: every unrevoked credential of the trainer for that module is revoked.
- Suspended, expired, withdrawn: nothing here. An expiry is in the token (``validUntil``);
  a suspension has no status list (see :mod:`services.certification.service.credentials`);
  a withdrawal is a neutral exit – the certificate says the trainer met the requirements
  until its end date, which stays true.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.certification import events
from services.certification.credentials import badges, jwt_vc
from services.certification.issuer import current_issuer
from services.certification.models import Credential, ModuleStatus, Trainer, new_id
from services.certification.service.credentials import allocate_slot, list_url, revoke
from shared import clock
from shared.events import publish

#: SCORE module names as catalog shows them (English: the credential's language).
MODULE_NAMES = {
    "M1": "Workplace Cooperation",
    "M2": "Quality and Continuous Improvement",
    "M3": "Productivity through Cleaner Production",
    "M4": "Workforce Management",
    "M5": "Safety and Health at Work",
}

Build = Callable[[badges.StatusEntry, str, dt.datetime], dict]


def module(code: str) -> badges.Module:
    """The OB 3.0 description of a SCORE module."""
    return badges.Module(code, MODULE_NAMES.get(code, f"SCORE module {code}"))


def end_of_validity(valid_until: dt.date) -> dt.datetime:
    """The moment a certification valid ``until`` a date ends: that day's start in WIB."""
    return dt.datetime.combine(valid_until, dt.time(), clock.WIB).astimezone(dt.UTC)


def issue(session: Session, build: Build, *, kind: str, module_code: str, subject_name: str,
          actor: str, valid_until: dt.date | None = None, trainer_id: str | None = None,
          enrolment_id: str | None = None, participant_id: str | None = None,
          sme_id: str | None = None) -> Credential:
    """Allocate a status slot, build the document with it, sign and store it, announce it."""
    issuer = current_issuer()
    status_list, index = allocate_slot(session, actor=actor)
    credential_id = new_id()
    now = clock.now()
    document = build(badges.StatusEntry(list_url(issuer, status_list.id), index),
                     badges.urn_uuid(credential_id), now)
    credential = Credential(
        id=credential_id, kind=kind, trainer_id=trainer_id, enrolment_id=enrolment_id,
        participant_id=participant_id, sme_id=sme_id, module_code=module_code,
        subject_name=subject_name,
        valid_from=now.astimezone(clock.WIB).date(), valid_until=valid_until,
        status_list_id=status_list.id, status_index=index,
        token=jwt_vc.sign(document, issuer), issued_by=actor, issued_at=now)
    session.add(credential)
    session.flush()
    publish(session, events.CREDENTIAL_ISSUED, credential.id,
            events.credential_payload(credential, actor))
    return credential


def on_certified(session: Session, trainer: Trainer, module_status: ModuleStatus, *,
                 actor: str) -> Credential:
    """The trainer is (re)certified for the module: their credential, issued once per
    certification."""
    valid_until = module_status.valid_until
    if valid_until is None:
        raise ValueError("a certified module status has a validity end")
    existing = session.scalars(select(Credential).where(
        Credential.trainer_id == trainer.id, Credential.kind == "trainer",
        Credential.module_code == module_status.module_code,
        Credential.valid_until == valid_until, Credential.revoked_at.is_(None))).first()
    if existing is not None:
        return existing
    issuer = current_issuer()
    recipient = badges.Recipient(_subject_uri(trainer.id), trainer.full_name)

    def build(status: badges.StatusEntry, credential_id: str, now: dt.datetime) -> dict:
        return badges.trainer_certificate(
            issuer, recipient, module(module_status.module_code), status, valid_from=now,
            valid_until=end_of_validity(valid_until), credential_id=credential_id)

    return issue(session, build, kind="trainer", module_code=module_status.module_code,
                 subject_name=trainer.full_name, valid_until=valid_until,
                 trainer_id=trainer.id, actor=actor)


def on_revoked(session: Session, trainer: Trainer, module_status: ModuleStatus, *,
               actor: str, reason: str) -> list[Credential]:
    """The trainer's certification for the module was revoked: so are its credentials."""
    found = list(session.scalars(select(Credential).where(
        Credential.trainer_id == trainer.id, Credential.kind == "trainer",
        Credential.module_code == module_status.module_code,
        Credential.revoked_at.is_(None)).order_by(Credential.id).with_for_update()))
    if found:
        revoke(session, found, reason=reason, actor=actor)
    return found


def _subject_uri(account_id: str) -> str:
    """``urn:uuid:`` of an account id that is a UUID, else a SCORE URN (still a URI)."""
    try:
        return badges.urn_uuid(account_id)
    except ValueError:
        return f"urn:score:account:{account_id}"
