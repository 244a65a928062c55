"""Audit's use cases: one function per command, each holding its transaction.

    def confirm_enrolment(db: Database, principal: Principal, enrolment_id: str) -> ...:
        with db.transaction() as session:
            enrolment = load(session, Enrolment, enrolment_id, lock=True)
            ...change state through the entity...
            publish(session, events.ENROLMENT_CONFIRMED, enrolment.id,
                    events.enrolment_payload(enrolment))

``shared.persistence`` has ``load`` (404 when absent), ``assign`` and
``unique_violation`` (a race caught by the database becomes a 409).
"""

from __future__ import annotations
