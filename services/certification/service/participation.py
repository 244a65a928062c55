"""SME participation certificates from enrolment's ``enrolment.completed``.

One certificate per participant who completed (``outcomes[].completed``), never two:
``participant_id`` is unique, and a participant who already has one is skipped – a
redelivered or repeated event issues nothing new. Certification keeps no personal
register: the certificate names the participant as enrolment sent it.

The event carries the enrolment, not the session's dates or the provider's name. When
enrolment adds ``start_date`` / ``end_date`` / ``provider_name`` they are used; until then
the activity dates are the day attendance closed (the event's time) and the provider is
named by its id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.certification.credentials import badges
from services.certification.issuer import current_issuer
from services.certification.models import Credential
from services.certification.service.issuing import issue, module

UNNAMED_PROVIDER = "SCORE training provider"


def issue_for_completion(session: Session, data: Mapping[str, Any], *, occurred: dt.datetime,
                         actor: str) -> list[Credential]:
    """A certificate for each participant of the completed enrolment who has none yet."""
    completed = [o for o in data["outcomes"] if o["completed"]]
    if not completed:
        return []
    have = set(session.scalars(select(Credential.participant_id).where(
        Credential.participant_id.in_([o["participant_id"] for o in completed]))))
    issuer = current_issuer()
    start, end = _activity(data, occurred)
    provider = badges.Provider(_uri(data["provider_id"], "provider"),
                               data.get("provider_name") or UNNAMED_PROVIDER)
    issued = []
    for outcome in completed:
        if outcome["participant_id"] in have:
            continue
        have.add(outcome["participant_id"])
        recipient = badges.Recipient(_uri(outcome["participant_id"], "participant"),
                                     outcome["full_name"])

        def build(status: badges.StatusEntry, credential_id: str, now: dt.datetime,
                  recipient: badges.Recipient = recipient) -> dict:
            return badges.participation_certificate(
                issuer, recipient, module(data["module_code"]), provider, status,
                session_start=start, session_end=end, valid_from=now,
                credential_id=credential_id)

        issued.append(issue(session, build, kind="participation",
                            module_code=data["module_code"],
                            subject_name=outcome["full_name"],
                            enrolment_id=data["enrolment_id"],
                            participant_id=outcome["participant_id"],
                            sme_id=data.get("sme_id"), actor=actor))
    return issued


def _activity(data: Mapping[str, Any], occurred: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The session's first and last day (midnight UTC of each), or the closing moment."""
    first, last = data.get("start_date"), data.get("end_date")
    if first is None or last is None or last < first:
        return occurred, occurred
    return (dt.datetime.combine(first, dt.time(), dt.UTC),
            dt.datetime.combine(last, dt.time(), dt.UTC))


def _uri(value: str, kind: str) -> str:
    try:
        return badges.urn_uuid(value)
    except ValueError:
        return f"urn:score:{kind}:{value}"
