"""Test data for delivery (attendance, completion, visits, KPIs): confirmed teams in a session.

Sessions come from catalog's events (the real consumer), SMEs from the use case,
teams enrol over HTTP; "confirmed" is the kernel's confirmation (nothing left to
pay), the one step payments would otherwise take.
"""

from __future__ import annotations

import dataclasses
import itertools

from sqlalchemy import select

from services.enrolment.models import Enrolment
from services.enrolment.service import holds
from shared.events import EventEnvelope
from shared.events.tables import outbox
from tests.enrolment.builders import register_sme, team

PROVIDER = "prov-1"
_owners = itertools.count(1)
TRAINERS = [{"trainer_id": "trainer-1", "role": "lead"}, {"trainer_id": "trainer-2", "role": "co"}]


@dataclasses.dataclass
class Team:
    """An enrolled team and who acts around it."""

    enrolment_id: str
    session_id: str
    sme_id: str
    participants: list[str]
    sme: dict[str, str]


def confirm(db, enrolment_id: str) -> None:
    """The kernel confirms a held enrolment (as a payment would)."""
    with db.transaction() as session:
        holds.confirm(session, session.get(Enrolment, enrolment_id), "confirm", actor="test")


def enrolled_team(client, db, policy, auth, session_id: str, size: int = 3, *,
                  confirmed: bool = True, subject: str | None = None, **sme) -> Team:
    """A registered SME's team in ``session_id`` (confirmed unless told otherwise)."""
    subject = subject or f"owner-{next(_owners)}"
    sme_id = register_sme(db, policy, subject=subject, **sme)
    headers = auth("sme_user", sme_id, "sme", subject=subject)
    response = client.post(f"/sessions/{session_id}/enrolments",
                           json={"participants": team(size)}, headers=headers)
    assert response.status_code == 201, response.json
    body = response.json
    if confirmed:
        confirm(db, body["id"])
    return Team(body["id"], session_id, sme_id, [p["id"] for p in body["participants"]],
                headers)


def published_events(db, kind: str) -> list[dict]:
    """Payloads of the ``kind`` events enrolment published (``attendance.recorded``...)."""
    with db.reading() as session:
        rows = session.scalars(select(outbox.c.payload).where(
            outbox.c.type == f"score.enrolment.{kind}.v1").order_by(outbox.c.id))
        return [EventEnvelope.from_bytes(raw).data for raw in rows]
