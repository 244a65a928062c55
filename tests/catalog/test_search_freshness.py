"""Every committed catalog write is versioned and described, through catalog sessions only."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from services import catalog
from services.catalog import search_freshness, service
from services.catalog.models import SearchChange, SearchVersion, TrainingSession
from services.catalog.search_freshness import changes_since
from shared.db import Database
from tests.catalog.builders import ADMIN, Builder


def changed_since(db, version: int) -> list[str | None]:
    """Session ids (None: anything) of the changes after ``version``."""
    return [change.session_id for change in changes_since(db, version)[1]]


def test_no_listener_is_registered_on_the_global_session():
    catalog.runtime()  # building the runtime registers nothing either
    for name, listener in (("before_commit", search_freshness._record_on_commit),
                           ("after_flush", search_freshness._entities_flushed),
                           ("do_orm_execute", search_freshness._statement_executed)):
        assert not event.contains(Session, name, listener)


def test_writes_through_another_database_object_are_not_versioned(db, build):
    _provider, _course, ts = build.world()
    plain = Database(db.url)  # not catalog.runtime().database(): no catalog hooks
    before = search_freshness.current_version(db)
    with plain.transaction() as session:
        session.get(TrainingSession, ts.id).venue_address = "Elsewhere"
    assert search_freshness.current_version(db) == before
    plain.dispose()
    bound = catalog.runtime().database(db.url)
    with bound.transaction() as session:
        session.get(TrainingSession, ts.id).venue_address = "Back"
    assert search_freshness.current_version(db) == before + 1
    bound.dispose()


def test_a_session_edit_records_that_session_and_its_state_now(db, build):
    _provider, course, ts = build.world()
    before = search_freshness.current_version(db)
    service.update_session(db, Builder.staff(course.provider_id), ts.id, {"city": "Bogor"})
    version, changes = changes_since(db, before)
    assert version == before + 1 and [c.session_id for c in changes] == [ts.id]
    state = changes[0].state
    assert (state.city_key, state.status, state.provider_status) == ("bogor", "published",
                                                                     "approved")


def test_a_seat_move_by_primary_key_records_that_session(db, build):
    _provider, _course, ts = build.world()
    before = search_freshness.current_version(db)
    with db.transaction() as session:
        session.execute(update(TrainingSession).where(TrainingSession.id == ts.id)
                        .values(seats_taken=TrainingSession.seats_taken + 3))
    [change] = changes_since(db, before)[1]
    assert (change.session_id, change.state.seats_taken) == (ts.id, 3)


def test_seat_moves_are_recorded_as_seats_only(app, db, build):
    from tests.catalog.test_seats import CONFIRMED, Enrolments

    _provider, course, ts = build.world()
    before = search_freshness.current_version(db)
    enrolments = Enrolments(app)
    enrolments.deliver(enrolments.event(CONFIRMED, "e-1", ts.id, 2))  # the read model's DML
    with db.transaction() as session:  # an entity flush changing seats taken only
        session.get(TrainingSession, ts.id).seats_taken += 1
    service.update_session(db, Builder.staff(course.provider_id), ts.id, {"capacity": 30})
    with db.transaction() as session:  # DML by primary key without the seats-only option
        session.execute(update(TrainingSession).where(TrainingSession.id == ts.id)
                        .values(seats_taken=0))
    changes = changes_since(db, before)[1]
    assert [(c.session_id, c.seats_only) for c in changes] == [
        (ts.id, True), (ts.id, True), (ts.id, False), (ts.id, False)]
    assert [c.state.seats_taken for c in changes] == [0, 0, 0, 0]  # states are as of now


@pytest.mark.parametrize("write", ["provider", "course", "bulk statement", "marked"])
def test_other_writes_record_that_anything_may_have_changed(db, build, write):
    provider, course, _ts = build.world()
    before = search_freshness.current_version(db)
    if write == "provider":
        service.suspend_provider(db, ADMIN, provider.id, "audit findings")
    elif write == "course":
        service.update_course(db, Builder.staff(provider.id), course.id, {"title_en": "New"})
    else:
        with db.transaction() as session:
            if write == "bulk statement":
                session.execute(update(TrainingSession).values(ilo_supervised=False))
            else:
                search_freshness.mark_everything(session)
    assert changed_since(db, before) == [None]


def test_reads_and_rolled_back_writes_record_nothing(client, db, build):
    build.world()
    before = search_freshness.current_version(db)
    client.get("/sessions")
    with pytest.raises(RuntimeError), db.transaction() as session:
        session.execute(update(TrainingSession).values(capacity=3))
        raise RuntimeError("abort")
    assert changes_since(db, before) == (before, [])


def test_old_changes_are_trimmed(db, build, monkeypatch):
    _provider, course, ts = build.world()
    monkeypatch.setattr(search_freshness, "KEEP_CHANGES", 2)
    with db.transaction() as session:
        session.execute(update(SearchVersion).values(version=97))
    staff = Builder.staff(course.provider_id)
    for n in range(4):  # versions 98..101; the bump to 100 trims
        service.update_session(db, staff, ts.id, {"venue_address": f"Aula {n}"})
    with db.reading() as session:
        kept = list(session.scalars(select(SearchChange.version).where(
            SearchChange.version > 97).order_by(SearchChange.version)))
        oldest = session.scalar(select(func.min(SearchChange.version)))
    assert kept == [99, 100, 101] and oldest == 99
