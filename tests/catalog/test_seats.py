"""The seats read model, fed by synthetic enrolment events through the real consumer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services import catalog
from services.catalog.models import SeatClaim
from shared.events import EventEnvelope
from shared.events.consumer import ConsumerRunner
from shared.events.tables import dead_letters, inbox
from tests.catalog.conftest import count_rows

HELD = "score.enrolment.enrolment.held.v1"
CONFIRMED = "score.enrolment.enrolment.confirmed.v1"
CANCELLED = "score.enrolment.enrolment.cancelled.v1"
EXPIRED = "score.enrolment.enrolment.expired.v1"


class Enrolments:
    """Produces enrolment events to ``score.enrolment`` and runs the catalog consumer."""

    def __init__(self, app) -> None:
        self.db = app.extensions["score_db"]
        self.bus = app.extensions["score_bus"]
        runtime = catalog.runtime()
        self.runner = ConsumerRunner(self.db, self.bus, runtime.group, runtime.handlers,
                                     max_attempts=1, backoff_ms=1)
        self.consumer = self.bus.consumer(runtime.group, runtime.handlers.topics)

    def event(self, kind: str, enrolment: str, session_id: str, participants: int,
              **extra) -> bytes:
        """A CloudEvent as the enrolment service would publish it."""
        data = {"enrolment_id": enrolment, "session_id": session_id,
                "participants": participants, **extra}
        return EventEnvelope.new("/score/enrolment", kind, enrolment, data).to_bytes()

    def deliver(self, *values: bytes) -> list[str]:
        """Put ``values`` on the topic and let the consumer process them, in order."""
        producer = self.bus.producer()
        for value in values:
            producer.send("score.enrolment", "k", value)
        producer.flush()
        outcomes = []
        for message in self.consumer.poll(timeout_ms=1000, max_records=len(values)):
            outcomes.append(self.runner.process(message))
            self.consumer.commit(message)
        assert len(outcomes) == len(values)
        return outcomes


@pytest.fixture
def enrolments(app):
    """The consuming side of the test app."""
    return Enrolments(app)


def seats(client, session_id: str) -> tuple[int, int, bool]:
    """(seats taken, seats free, is full) as the API shows them."""
    body = client.get(f"/sessions/{session_id}").json
    return body["seats_taken"], body["seats_free"], body["is_full"]


def test_a_confirmed_enrolment_takes_seats_and_a_cancelled_one_gives_them_back(
        client, build, enrolments):
    _p, _c, ts = build.world()
    assert seats(client, ts.id) == (0, 20, False)
    enrolments.deliver(enrolments.event(CONFIRMED, "e1", ts.id, 4))
    assert seats(client, ts.id) == (4, 16, False)
    enrolments.deliver(enrolments.event(CANCELLED, "e1", ts.id, 4))
    assert seats(client, ts.id) == (0, 20, False)


def test_an_event_delivered_twice_is_applied_once(client, build, enrolments):
    _p, _c, ts = build.world()
    confirmed = enrolments.event(CONFIRMED, "e1", ts.id, 3)
    assert enrolments.deliver(confirmed, confirmed) == ["applied", "duplicate"]
    assert seats(client, ts.id)[0] == 3
    cancelled = enrolments.event(CANCELLED, "e1", ts.id, 3)
    assert enrolments.deliver(cancelled, cancelled) == ["applied", "duplicate"]
    assert seats(client, ts.id)[0] == 0


def test_a_second_event_about_the_same_enrolment_changes_nothing(client, build, enrolments):
    _p, _c, ts = build.world()
    outcomes = enrolments.deliver(enrolments.event(CONFIRMED, "e1", ts.id, 3),
                                  enrolments.event(CONFIRMED, "e1", ts.id, 3),
                                  enrolments.event(CANCELLED, "e1", ts.id, 3),
                                  enrolments.event(CANCELLED, "e1", ts.id, 3))
    assert outcomes == ["applied"] * 4  # distinct event ids: the inbox cannot tell
    assert seats(client, ts.id)[0] == 0


def test_a_cancel_releases_exactly_the_seats_its_confirmation_took(client, build, enrolments):
    _p, _c, ts = build.world()
    enrolments.deliver(enrolments.event(CONFIRMED, "e1", ts.id, 4),
                       enrolments.event(CONFIRMED, "e2", ts.id, 2),
                       enrolments.event(CANCELLED, "e1", ts.id, 1))
    assert seats(client, ts.id)[0] == 2


def test_a_cancel_arriving_before_its_confirmation_leaves_no_seats_taken(
        client, db, build, enrolments):
    _p, _c, ts = build.world()
    enrolments.deliver(enrolments.event(CANCELLED, "e1", ts.id, 4),
                       enrolments.event(CONFIRMED, "e1", ts.id, 4))
    assert seats(client, ts.id)[0] == 0
    with db.reading() as session:
        assert session.get(SeatClaim, "e1").state == "released"


def test_a_session_becomes_full_at_capacity(client, build, enrolments):
    provider = build.provider()
    ts = build.session(build.course(provider), capacity=8)
    enrolments.deliver(enrolments.event(CONFIRMED, "e1", ts.id, 4),
                       enrolments.event(CONFIRMED, "e2", ts.id, 4))
    assert seats(client, ts.id) == (8, 0, True)
    item = client.get("/sessions", query_string={"has_free_seats": "true"}).json["items"]
    assert ts.id not in [i["id"] for i in item]
    enrolments.deliver(enrolments.event(CANCELLED, "e2", ts.id, 4))
    assert seats(client, ts.id) == (4, 4, False)


def test_unknown_payload_fields_are_ignored(client, build, enrolments):
    _p, _c, ts = build.world()
    event = enrolments.event(CONFIRMED, "e1", ts.id, 2, sme_id="sme-9", amount=5_000_000)
    assert enrolments.deliver(event) == ["applied"]
    assert seats(client, ts.id)[0] == 2


@pytest.mark.parametrize("participants", [0, -1, "2", None])
def test_an_event_with_an_invalid_participant_count_is_dead_lettered(
        client, db, build, enrolments, participants):
    _p, _c, ts = build.world()
    event = enrolments.event(CONFIRMED, "e1", ts.id, participants)
    assert enrolments.deliver(event) == ["dead_lettered"]
    assert seats(client, ts.id)[0] == 0
    assert count_rows(db, dead_letters) == 1


def test_an_event_for_an_unknown_session_is_recorded_but_moves_no_counter(db, enrolments):
    assert enrolments.deliver(enrolments.event(CONFIRMED, "e1", "no-such-session", 2)) == \
        ["applied"]
    with db.reading() as session:
        assert session.get(SeatClaim, "e1").participants == 2
        assert session.scalar(select(inbox.c.type)) == CONFIRMED


def test_capacity_cannot_drop_below_the_seats_taken(client, build, staff, enrolments):
    _p, _c, ts = build.world()
    enrolments.deliver(enrolments.event(CONFIRMED, "e1", ts.id, 12))
    r = client.patch(f"/sessions/{ts.id}", json={"capacity": 11}, headers=staff(ts.provider_id))
    assert r.status_code == 409
    assert r.json["errors"]["capacity"]
    assert client.patch(f"/sessions/{ts.id}", json={"capacity": 12},
                        headers=staff(ts.provider_id)).json["is_full"] is True


def test_the_catalog_consumes_enrolment_and_certification_topics_only():
    handlers = catalog.runtime().handlers
    assert sorted(handlers.topics) == ["score.certification", "score.enrolment"]
    assert all(handlers.get(kind) for kind in (HELD, CONFIRMED, CANCELLED, EXPIRED))


def test_held_seats_count_as_taken_until_the_hold_expires(client, build, enrolments):
    _p, _c, ts = build.world()
    enrolments.deliver(enrolments.event(HELD, "e1", ts.id, 4))
    assert seats(client, ts.id) == (4, 16, False)
    enrolments.deliver(enrolments.event(EXPIRED, "e1", ts.id, 4))
    assert seats(client, ts.id) == (0, 20, False)


def test_a_hold_that_is_paid_keeps_its_seats_once(client, build, enrolments):
    _p, _c, ts = build.world()
    enrolments.deliver(enrolments.event(HELD, "e1", ts.id, 4),
                       enrolments.event(CONFIRMED, "e1", ts.id, 4),
                       enrolments.event(HELD, "e1", ts.id, 4))
    assert seats(client, ts.id) == (4, 16, False)
    enrolments.deliver(enrolments.event(CANCELLED, "e1", ts.id, 4))
    assert seats(client, ts.id) == (0, 20, False)


def test_an_expiry_arriving_before_its_hold_leaves_no_seats_taken(client, build, enrolments):
    _p, _c, ts = build.world()
    enrolments.deliver(enrolments.event(EXPIRED, "e1", ts.id, 4),
                       enrolments.event(HELD, "e1", ts.id, 4))
    assert seats(client, ts.id)[0] == 0


def test_a_late_payment_retakes_seats_under_a_new_hold(client, build, enrolments):
    _p, _c, ts = build.world()
    enrolments.deliver(enrolments.event(HELD, "e1", ts.id, 3),
                       enrolments.event(EXPIRED, "e1", ts.id, 3),
                       enrolments.event(CONFIRMED, "e1", ts.id, 3, hold_id="e1/2"))
    assert seats(client, ts.id)[0] == 3
    enrolments.deliver(enrolments.event(CANCELLED, "e1", ts.id, 3, hold_id="e1/2"))
    assert seats(client, ts.id)[0] == 0


def test_capacity_cannot_drop_below_the_seats_held(client, build, staff, enrolments):
    _p, _c, ts = build.world()
    enrolments.deliver(enrolments.event(HELD, "e1", ts.id, 6))
    r = client.patch(f"/sessions/{ts.id}", json={"capacity": 5}, headers=staff(ts.provider_id))
    assert r.status_code == 409
