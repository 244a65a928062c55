"""Reading enrolments, sessions and waitlists: who sees which rows, filters, pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.enrolment.models import Payment
from shared.events.tables import outbox
from tests.enrolment.builders import register_sme, team


@pytest.fixture
def world(client, catalog, db, policy, auth):
    """Two providers' sessions; three SMEs enrolled; one team waiting."""
    smes = {}
    for name in ("sari", "budi", "wati", "joko"):
        sme_id = register_sme(db, policy, subject=name)
        smes[name] = (sme_id, auth("sme_user", sme_id, "sme", subject=name))
    one = catalog.session(provider_id="prov-1", capacity=10,
                          trainers=[{"trainer_id": "trainer-1", "role": "lead"}])
    two = catalog.session(provider_id="prov-2", capacity=10,
                          trainers=[{"trainer_id": "trainer_2", "role": "lead"}])
    ids = {}
    for name, ts, size in (("sari", one, 4), ("budi", one, 6), ("wati", two, 3),
                           ("sari", two, 2)):
        response = client.post(f"/sessions/{ts['session_id']}/enrolments",
                               json={"participants": team(size)}, headers=smes[name][1])
        assert response.status_code == 201, response.json
        ids[(name, ts["session_id"])] = response.json["id"]
    waiting = client.post(f"/sessions/{one['session_id']}/enrolments",
                          json={"participants": team(2), "join_waitlist_if_full": True},
                          headers=smes["joko"][1])
    assert waiting.status_code == 202
    return {"smes": smes, "one": one["session_id"], "two": two["session_id"], "ids": ids,
            "waiting": waiting.json["id"]}


def listed(client, headers, path="/enrolments", **query) -> list[str]:
    response = client.get(path, headers=headers, query_string=query)
    assert response.status_code == 200, response.json
    return sorted(item["id"] for item in response.json["items"])


def test_an_enrolment_reads_with_its_team_and_payments(client, world, db):
    enrolment_id = world["ids"][("sari", world["one"])]
    with db.transaction() as session:
        session.add(Payment(enrolment_id=enrolment_id, provider_id="prov-1", method="card",
                            gateway="sandbox", amount=10_000_000, checkout_id="cs_1"))
    body = client.get(f"/enrolments/{enrolment_id}", headers=world["smes"]["sari"][1]).json
    assert [p["full_name"] for p in body["participants"]] == [f"Peserta {i}" for i in range(4)]
    assert body["payments"][0]["status"] == "pending"
    assert body["payments"][0]["amount"] == 10_000_000


@pytest.mark.parametrize(("who", "expected"), [
    ("sari", {("sari", "one"), ("sari", "two")}),
    ("prov-1", {("sari", "one"), ("budi", "one")}),
    ("trainer_2", {("wati", "two"), ("sari", "two")}),
    ("auditor", {("sari", "one"), ("budi", "one"), ("wati", "two"), ("sari", "two")}),
    ("service", {("sari", "one"), ("budi", "one"), ("wati", "two"), ("sari", "two")}),
])
def test_each_caller_lists_only_the_enrolments_it_may_see(client, world, auth, who, expected):
    headers = {"sari": world["smes"]["sari"][1],
               "prov-1": auth("provider_staff", "prov-1", "provider"),
               "trainer_2": auth("trainer", subject="trainer_2"),
               "auditor": auth("ilo_auditor"),
               "service": auth("service")}[who]  # the audit's reconciliation
    want = sorted(world["ids"][(name, world[s])] for name, s in expected)
    assert listed(client, headers) == want


def test_a_trainer_named_like_another_sees_only_its_own_sessions(client, world, auth):
    # "trainer_2" has an underscore, a LIKE wildcard: "trainerX2" must not match it.
    assert listed(client, auth("trainer", subject="trainerX2")) == []
    assert listed(client, auth("trainer", subject="trainer")) == []


def test_lists_filter_by_status_session_and_sme(client, world, auth):
    auditor = auth("ilo_auditor")
    sari = world["smes"]["sari"][0]
    assert listed(client, auditor, sme_id=sari, session_id=world["two"]) == [
        world["ids"][("sari", world["two"])]]
    assert listed(client, auditor, status="confirmed") == []
    assert len(listed(client, auditor, status="held")) == 4


def test_pages_follow_each_other_without_gaps_or_repeats(client, world, auth, clock):
    auditor, seen, cursor = auth("ilo_auditor"), [], None
    while True:
        query = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        body = client.get("/enrolments", headers=auditor, query_string=query).json
        seen += [item["id"] for item in body["items"]]
        if (cursor := body["next_cursor"]) is None:
            break
    assert sorted(seen) == sorted(world["ids"].values()) and len(seen) == 4


@pytest.mark.parametrize("query", [{"cursor": "garbage!"}, {"cursor": "bm9wZQ"},
                                   {"limit": 0}, {"status": "lost"}, {"colour": "red"}])
def test_bad_list_parameters_are_400(client, world, auth, query):
    response = client.get("/enrolments", headers=auth("ilo_auditor"), query_string=query)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize(("headers", "status"), [
    (("provider_staff", "prov-1"), 200), (("provider_staff", "prov-2"), 404),
    (("trainer", None), 200), (("ilo_auditor", None), 200),
])
def test_a_sessions_enrolments_for_its_provider_trainers_and_auditors(client, world, auth,
                                                                     headers, status):
    role, org = headers
    response = client.get(f"/sessions/{world['one']}/enrolments",
                          headers=auth(role, org, subject="trainer-1"))
    assert response.status_code == status
    if status == 200:
        assert len(response.json["items"]) == 2


def test_a_session_reads_with_its_seats(client, world, auth):
    body = client.get(f"/sessions/{world['one']}", headers=auth("sme_user", "x", "sme")).json
    assert (body["capacity"], body["seats_held"], body["seats_confirmed"],
            body["seats_free"]) == (10, 10, 0, 0)
    assert client.get(f"/sessions/{world['one']}").status_code == 401
    assert client.get("/sessions/nope", headers=auth("trainer")).status_code == 404


def test_the_waitlist_of_a_session_in_queue_order(client, world, auth):
    staff = auth("provider_staff", "prov-1", "provider")
    items = client.get(f"/sessions/{world['one']}/waitlist", headers=staff).json["items"]
    assert [(i["id"], i["position"], i["status"]) for i in items] == [
        (world["waiting"], 1, "waiting")]
    other = auth("provider_staff", "prov-2", "provider")
    assert client.get(f"/sessions/{world['one']}/waitlist", headers=other).status_code == 404


def test_an_sme_lists_and_withdraws_its_waitlist_entry(client, world, db):
    joko_id, joko = world["smes"]["joko"]
    items = client.get(f"/smes/{joko_id}/waitlist", headers=joko).json["items"]
    assert [i["position"] for i in items] == [1]
    assert client.delete(f"/waitlist/{world['waiting']}", headers=joko).status_code == 204
    items = client.get(f"/smes/{joko_id}/waitlist", headers=joko).json["items"]
    assert [(i["status"], i["position"]) for i in items] == [("withdrawn", None)]
    assert client.delete(f"/waitlist/{world['waiting']}", headers=joko).status_code == 409
    with db.reading() as session:
        last = session.scalars(select(outbox.c.type).order_by(outbox.c.id.desc())).first()
    assert last == "score.enrolment.waitlist.withdrawn.v1"


def test_only_the_sme_withdraws_its_entry(client, world):
    sari = world["smes"]["sari"][1]
    assert client.delete(f"/waitlist/{world['waiting']}", headers=sari).status_code == 404
    joko_id = world["smes"]["joko"][0]
    assert client.get(f"/smes/{joko_id}/waitlist", headers=sari).status_code == 404
