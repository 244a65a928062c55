"""The read models a quote tests rules against, kept from enrolment's and catalog's events.

Each event carries the whole entity, so applying one is an upsert of the fields
sponsorship reads; the inbox applies each event once, and per-entity ordering
on the topic keeps the latest state last.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from services.sponsorship.models import SessionFacts, SmeFacts

SME_FIELDS = ("legal_name", "province_code", "kbli_code", "size_class")
SESSION_FIELDS = ("provider_id", "module_code", "title_en", "province_code", "start_date",
                  "price_per_participant", "ilo_supervised", "status")


def apply_sme(session: Session, data: dict[str, Any]) -> SmeFacts:
    """Create or refresh an SME's facts from ``sme.registered`` / ``sme.updated``."""
    return _upsert(session, SmeFacts, data["sme_id"], {k: data[k] for k in SME_FIELDS})


def apply_session(session: Session, data: dict[str, Any]) -> SessionFacts:
    """Create or refresh a session's facts from any ``session.*`` event."""
    return _upsert(session, SessionFacts, data["session_id"],
                   {k: data[k] for k in SESSION_FIELDS})


def _upsert(session: Session, model, entity_id: str, values: dict[str, Any]):
    row = session.get(model, entity_id, with_for_update=True)
    if row is None:
        row = model(id=entity_id, **values)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.flush()
    return row
