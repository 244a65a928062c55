"""The seed of ``bench/certification.py`` issues what the bench verifies.

The bench is not run by the suite; this keeps its seed in step with the use case (a
changed signature fails here, not as a bench measuring errors) and checks that the tokens
it measures verify – a bench of failing verifications would measure the wrong path.
"""

from __future__ import annotations

from bench.certification import completion, seed
from services.certification.service import credentials


def test_the_seed_issues_tokens_that_verify(app):
    db = app.extensions["score_db"]
    tokens = seed(db, 3)
    assert len(set(tokens)) == 3
    assert all(credentials.verify_token(db, token).valid for token in tokens)


def test_a_completion_names_every_participant_as_completed():
    payload = completion(4)
    assert len(payload["outcomes"]) == 4 and all(o["completed"] for o in payload["outcomes"])
