"""Events certification consumes: evidence of delivery, not forms.

- catalog's ``session.completed``: each registered trainer of the session delivered
  it, as lead or co-trainer;
- enrolment's ``visit.recorded``: the trainer made a consultancy visit;
- enrolment's ``enrolment.completed``: a participation certificate for each participant
  who completed (:mod:`services.certification.service.participation`).

Schemas list only the fields read (a tolerant reader). Handlers run inside the
inbox transaction; evidence rows have unique sources, so nothing counts twice.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from services.certification.service import evidence, participation
from shared.events import Handler, Handlers


class TrainerRef(Schema):
    """A trainer of a session and their role (``lead`` or another)."""

    trainer_id = fields.String(required=True)
    role = fields.String(required=True)


class CompletedSession(Schema):
    """What certification reads of a completed catalog session."""

    session_id = fields.String(required=True)
    provider_id = fields.String(required=True)
    module_code = fields.String(required=True)
    end_date = fields.Date(required=True)
    trainers = fields.List(fields.Nested(TrainerRef), required=True)
    changed_by = fields.String(required=True)


class RecordedVisit(Schema):
    """What certification reads of a consultancy visit."""

    visit_id = fields.String(required=True)
    enrolment_id = fields.String(required=True)
    sme_id = fields.String(required=True)
    module_code = fields.String(required=True)
    trainer_id = fields.String(required=True)
    visited_on = fields.Date(required=True)


class Outcome(Schema):
    """A participant's outcome when the session's attendance closed."""

    class Meta:
        unknown = EXCLUDE  # nested: the tolerant reader's rule reaches only the top level

    participant_id = fields.String(required=True)
    full_name = fields.String(required=True)
    completed = fields.Boolean(required=True)


class CompletedEnrolment(Schema):
    """What certification reads of a completed enrolment (session dates and the provider's
    name when enrolment sends them)."""

    enrolment_id = fields.String(required=True)
    sme_id = fields.String(load_default=None)
    provider_id = fields.String(required=True)
    module_code = fields.String(required=True)
    outcomes = fields.List(fields.Nested(Outcome), required=True)
    start_date = fields.Date(load_default=None)
    end_date = fields.Date(load_default=None)
    provider_name = fields.String(load_default=None)


def _on_session_completed(session, event) -> None:
    """A session was delivered: evidence for each of its registered trainers."""
    evidence.record_session(session, event.data, actor=f"event:{event.id}")


def _on_visit_recorded(session, event) -> None:
    """A consultancy visit took place: evidence for its trainer."""
    evidence.record_visit(session, event.data, actor=f"event:{event.id}")


def _on_enrolment_completed(session, event) -> None:
    """A session's attendance closed: participation certificates for who completed."""
    participation.issue_for_completion(session, event.data, occurred=event.time,
                                       actor=f"event:{event.id}")


HANDLERS = Handlers([
    Handler("score.catalog.session.completed.v1", CompletedSession, _on_session_completed),
    Handler("score.enrolment.visit.recorded.v1", RecordedVisit, _on_visit_recorded),
    Handler("score.enrolment.enrolment.completed.v1", CompletedEnrolment,
            _on_enrolment_completed),
])
