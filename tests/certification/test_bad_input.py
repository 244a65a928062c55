"""Bad input is refused with a 4xx problem naming each field, and nothing is written:
no row, no status change, no outbox row."""

from __future__ import annotations

import datetime as dt

import pytest

from shared import clock
from tests.catalog.conftest import assert_problem
from tests.certification.builders import profile
from tests.certification.conftest import written

TOMORROW = (clock.today() + dt.timedelta(days=2)).isoformat()

REGISTRATION_CASES = [
    ({"full_name": " "}, "full_name"), ({"full_name": "N" * 121}, "full_name"),
    ({"gender": "other"}, "gender"), ({"province_code": "99"}, "province_code"),
    ({"province_code": "ID-JT"}, "province_code"), ({"organisation": ""}, "organisation"),
    ({"modules_of_interest": []}, "modules_of_interest"),
    ({"modules_of_interest": ["M6"]}, "modules_of_interest"),
    ({"modules_of_interest": "M1"}, "modules_of_interest"),
    ({"provider_id": ""}, "provider_id"), ({"expert_modules": ["M1"]}, "expert_modules"),
    ({"id": "someone-else"}, "id"),
]


@pytest.mark.parametrize(("changes", "field"), REGISTRATION_CASES)
def test_a_bad_registration_is_refused(client, auth, db, changes, field):
    before = written(db)

    assert_problem(client.post("/trainers", json=profile(**changes),
                               headers=auth("trainer", subject="user-bad")), 422, field)
    assert written(db) == before


def test_a_registration_missing_fields_names_them_all(client, auth, db):
    before = written(db)

    assert_problem(client.post("/trainers", json={}, headers=auth("trainer", subject="u")),
                   422, "full_name", "gender", "province_code", "organisation",
                   "modules_of_interest")
    assert written(db) == before


@pytest.mark.parametrize(("changes", "field"), [
    ({"gender": "x"}, "gender"), ({"modules_of_interest": ["M0"]}, "modules_of_interest"),
    ({"province_code": "00"}, "province_code"), ({"expert_modules": ["M1"]}, "expert_modules"),
])
def test_a_bad_profile_change_is_refused(programme, db, changes, field):
    trainer = programme.trainer()
    before = written(db)

    assert_problem(programme.client.patch(f"/trainers/{trainer}", json=changes,
                                          headers=programme.as_trainer(trainer)), 422, field)
    assert written(db) == before


@pytest.mark.parametrize(("body", "field"), [
    ({"reference": "", "attended_on": "2025-01-10"}, "reference"),
    ({"reference": "has space", "attended_on": "2025-01-10"}, "reference"),
    ({"reference": "TOT-1", "attended_on": TOMORROW}, "attended_on"),
    ({"reference": "TOT-1", "attended_on": "2025-02-30"}, "attended_on"),
    ({"reference": "TOT-1"}, "attended_on"),
])
def test_a_bad_tot_is_refused(programme, db, body, field):
    trainer = programme.trainer()
    before = written(db)

    assert_problem(programme.client.post(f"/trainers/{trainer}/modules/M1/tot", json=body,
                                         headers=programme.admin()), 422, field)
    assert written(db) == before


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/trainers/{t}/modules/M1/reports", {"title": "ok", "body": "long enough body"}, "title"),
    ("/trainers/{t}/modules/M1/reports", {"title": "Laporan", "body": "short"}, "body"),
    ("/trainers/{t}/modules/M1/recommendations", {"decision": "maybe", "comments": "hmm ok"},
     "decision"),
    ("/trainers/{t}/modules/M1/recommendations", {"decision": "recommend"}, "comments"),
    ("/trainers/{t}/modules/M1/suspend", {}, "reason"),
    ("/trainers/{t}/modules/M1/withdraw", {"reason": "  "}, "reason"),
    ("/trainers/{t}/expert-modules", {"modules": ["M1", "X"]}, "modules"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_bad_bodies_elsewhere_are_refused(programme, db, path, body, field):
    trainer = programme.trainer()
    expert = programme.expert(("M1",))
    headers = (programme.as_trainer(expert) if "recommendations" in path
               else programme.as_trainer(trainer) if "reports" in path else programme.admin())
    before = written(db)

    assert_problem(programme.client.open(path.format(t=trainer),
                                         method="PUT" if "expert" in path else "POST",
                                         json=body, headers=headers), 422, field)
    assert written(db) == before


@pytest.mark.parametrize(("query", "field"), [
    ("module=M9", "module"), ("status=certifiable", "status"), ("province=99", "province"),
    ("limit=0", "limit"), ("limit=101", "limit"), ("cursor=not-ours", "cursor"),
])
def test_bad_list_filters_are_400(programme, query, field):
    assert_problem(programme.client.get(f"/trainers?{query}", headers=programme.admin()),
                   400, field)


def test_an_unknown_module_or_trainer_is_404(programme):
    trainer = programme.trainer()

    for path in (f"/trainers/{trainer}/modules/M9/assessment",
                 f"/trainers/{trainer}/modules/M4/evidence", "/trainers/nobody",
                 "/trainers/nobody/modules/M1/assessment", "/reports/nothing"):
        response = programme.client.get(path, headers=programme.admin())
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json"
