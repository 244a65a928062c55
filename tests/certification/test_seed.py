"""Certification's demo seed: trainers at every stage, on identity's accounts, once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.certification import lifecycle
from services.certification.models import ModuleStatus, Recommendation, Trainer
from services.certification.seed import seed_demo
from services.certification.seed_data import STAGES, TRAINERS
from services.certification.service import progress
from shared.events.tables import outbox
from shared.seeding import SeedContext, SeedResult

ACCOUNTS = {t.email: f"user-{n}" for n, t in enumerate(TRAINERS)}


@pytest.fixture
def db(app):
    return app.extensions["score_db"]


@pytest.fixture
def context(app):
    """What ``score run`` hands certification's seed: identity's demo trainer accounts."""
    identity = SeedResult(provides={"trainers": ACCOUNTS})
    return SeedContext(app.extensions["score_settings"], {"identity": identity})


def events(db) -> list[tuple[str, str]]:
    with db.reading() as session:
        return list(session.execute(select(outbox.c.type, outbox.c.key)
                                    .order_by(outbox.c.id)).all())


def test_the_seed_registers_identitys_trainers_at_every_stage_about_40_percent_women(
        db, context):
    result = seed_demo(db, context)
    assert result.created["trainers"] == len(TRAINERS) == 12
    with db.reading() as session:
        trainers = session.scalars(select(Trainer)).all()
        stages = set(session.scalars(select(ModuleStatus.status)))
        experts = [t for t in trainers if t.expert_modules]
    assert {t.id for t in trainers} == set(ACCOUNTS.values())
    women = sum(t.gender == "female" for t in trainers) / len(trainers)
    assert 0.35 <= women <= 0.45
    assert stages == set(STAGES) and set(STAGES) <= set(lifecycle.MODULE_STATUS.states)
    assert len(experts) >= 2
    registered = [s for t, s in events(db) if t == "score.certification.trainer.registered.v1"]
    assert sorted(registered) == sorted(ACCOUNTS.values())


def test_certified_modules_are_what_the_rule_engine_supports_and_experts_recommended(
        db, context):
    seed_demo(db, context)
    with db.reading() as session:
        certified = session.scalars(select(ModuleStatus)
                                    .where(ModuleStatus.status == "certified")).all()
        assert certified
        for status in certified:
            assessment = progress.assess(session, status.trainer_id, status.module_code)
            assert assessment.status == "eligible_for_certification", assessment.missing
            assert not assessment.expired and status.valid_until > status.certified_on
            recommendation = session.scalar(select(Recommendation).where(
                Recommendation.trainer_id == status.trainer_id,
                Recommendation.module_code == status.module_code))
            expert = session.get(Trainer, recommendation.expert_id)
            assert expert.id != status.trainer_id
            assert status.module_code in expert.expert_modules


def test_every_move_is_announced_and_what_is_provided_matches_the_database(db, context):
    provided = seed_demo(db, context).provides["trainers"]
    moves = [s for t, s in events(db) if t == "score.certification.module_status.changed.v1"]
    assert "{}/M1".format(ACCOUNTS["siti.nurhaliza@trainers.example"]) in moves
    by_id = {t["trainer_id"]: t for t in provided}
    siti = by_id[ACCOUNTS["siti.nurhaliza@trainers.example"]]
    assert siti["modules"] == {"M1": "certified", "M2": "certified", "M3": "certified"}
    assert siti["organisation"] == "BEDO" and siti["full_name"] == "Siti Nurhaliza"
    wayan = by_id[ACCOUNTS["wayan.sudirta@trainers.example"]]
    assert wayan["modules"] == {"M1": "suspended", "M3": "expired", "M5": "candidate"}


def test_the_seed_is_idempotent(db, context):
    first = seed_demo(db, context)
    before = events(db)
    again = seed_demo(db, context)
    assert again.summary() == "nothing new"
    assert events(db) == before
    assert again.provides == first.provides
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Trainer)) == len(TRAINERS)


def test_without_identitys_accounts_trainers_get_demo_ids(app, db):
    context = SeedContext(app.extensions["score_settings"], {"identity": SeedResult()})
    seed_demo(db, context)
    with db.reading() as session:
        assert session.get(Trainer, "demo-trainer-siti.nurhaliza") is not None


def test_the_seed_issues_credentials_and_one_verifiably_revoked(db, context, app):
    from services.certification.models import Credential
    from tests.certification.issued import set_bits

    seed_demo(db, context)
    with db.reading() as session:
        issued = session.scalars(select(Credential)).all()
    revoked = [c for c in issued if c.revoked_at is not None]
    assert len(issued) >= 10 and len(revoked) == 1
    client = app.test_client()
    published = client.get(f"/status-lists/{revoked[0].status_list_id}")
    assert published.status_code == 200
    assert set_bits(published.get_data(as_text=True)) == [revoked[0].status_index]
    answer = client.post("/credentials/verify", json={"token": revoked[0].token}).get_json()
    assert answer["valid"] is False and "REVOKED" in answer["reasons"]
    fine = next(c for c in issued if c.revoked_at is None)
    assert client.post("/credentials/verify", json={"token": fine.token}).get_json()["valid"]
