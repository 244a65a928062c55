"""An expert trainer's recommendation of a mentee for certification, or its refusal.

``recommend`` moves ``in_supervised_delivery → recommended``, and only when the
evidence supports it: the assessment must be at least ``ready_for_recommendation``
(everything but the recommendation itself is there), else 409 naming what is
missing. ``decline`` records the reason and leaves the trainer in – or sends them
back to – supervised delivery. Either way ``recommendation.given`` is published
with the expert's comments.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.certification import access, events
from services.certification.models import Recommendation, Trainer
from services.certification.service import progress
from services.certification.service.trainers import readable_status
from shared import clock
from shared.auth import Principal
from shared.db import Database
from shared.errors import Conflict, Forbidden
from shared.events import publish
from shared.persistence import load

# Missing items a recommendation itself resolves: not a reason to refuse one.
RESOLVED_BY_RECOMMENDING = frozenset({"NO_RECOMMENDATION", "RECOMMENDATION_DECLINED"})


def give(db: Database, principal: Principal, trainer_id: str, module_code: str,
         data: dict[str, Any]) -> Recommendation:
    """Record an expert trainer's ``recommend`` or ``decline`` with comments."""
    if principal.role != "trainer":
        raise Forbidden("only an expert trainer recommends")
    with db.transaction() as session:
        trainer = load(session, Trainer, trainer_id, lock=True)
        access.ensure_reviewer(session, principal, trainer, module_code, "recommend")
        readable_status(session, principal, trainer_id, module_code)  # 404 if no record
        status = progress.status_of(session, trainer_id, module_code, actor=principal.subject)
        decision, comments = data["decision"], data["comments"]
        judged = progress.assess(session, trainer_id, module_code)
        if decision == "recommend":
            missing = [m for m in judged.missing if m.code not in RESOLVED_BY_RECOMMENDING]
            if missing:
                raise Conflict(
                    f"{trainer_id} is not ready for a recommendation in {module_code}: "
                    + "; ".join(m.detail for m in missing),
                    missing=progress.explain(missing))
        # The lifecycle refuses what the state does not allow (409) before anything is kept.
        progress.move(session, status, decision, actor=principal.subject, reason=comments,
                      version=judged.rules_version)
        given = Recommendation(trainer_id=trainer_id, module_code=module_code,
                               expert_id=principal.subject, decision=decision,
                               comments=comments, created_at=clock.now())
        session.add(given)
        session.flush()
        publish(session, events.RECOMMENDATION_GIVEN, given.id,
                events.recommendation_payload(given))
        return given


def list_given(db: Database, principal: Principal | None, trainer_id: str,
               module_code: str) -> list[Recommendation]:
    """The recommendations and refusals on the trainer's module, newest first."""
    with db.reading() as session:
        readable_status(session, principal, trainer_id, module_code)
        return list(session.scalars(select(Recommendation).where(
            Recommendation.trainer_id == trainer_id, Recommendation.module_code == module_code)
            .order_by(Recommendation.created_at.desc(), Recommendation.id.desc())))
